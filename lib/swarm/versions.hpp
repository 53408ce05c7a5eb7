#pragma once

// What tells calzion's own changes of a Swarm service from changes made by
// hand: after each change it makes (create, update, stop, start, restart)
// has settled, calzion records the service's version (Swarm's Version.Index,
// which every change of the service raises) in the instance's directory on
// the manager, one file per service: <instance_dir>/swarm-versions/<service>.
// The observer reads them back; a service whose version is another was
// changed by someone else (docker service update, scale, rollback).

#include <map>
#include <string>
#include <vector>

namespace calzion::swarm {

// The directory of the records, inside the instance's directory.
inline constexpr const char* k_versions_dir = "swarm-versions";

// "service version" lines -> service -> version; other lines are skipped.
std::map<std::string, long long> parse_versions(const std::string& text);

// Shell function `record_version SERVICE` for host scripts that define $idir
// (the instance's directory): writes the service's current version,
// atomically; nothing when the service is gone.
std::string record_version_function();

// argv that forgets the recorded versions of `services` (removed services).
std::vector<std::string> forget_versions_argv(const std::string& instance_dir,
                                              const std::vector<std::string>& services);

}  // namespace calzion::swarm
