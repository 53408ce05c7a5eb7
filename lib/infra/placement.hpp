#pragma once

#include <map>
#include <string>
#include <vector>

#include "infra/infrastructure.hpp"

namespace calzion::infra {

// Which host each service of an instance runs on (calzion(1) INFRASTRUCTURE FILE): an explicit
// `place` decides; a service already running on one of the instance's hosts
// stays there; any other goes to the host with the fewest services of the
// instance so far, ties broken by a hash of service and host names, so that
// the same inputs always give the same answer. Pure.
//
// `services`: in start order. `current`: where each service runs now, from
// the hosts' recorded state (a service recorded on several hosts keeps the
// first of the instance's hosts).
std::map<std::string, std::string> place(const std::vector<std::string>& services, const Instance& instance,
                                         const std::map<std::string, std::vector<std::string>>& current);

}  // namespace calzion::infra
