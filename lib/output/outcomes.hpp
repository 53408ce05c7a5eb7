#pragma once

#include <string>
#include <vector>

#include "deploy/deploy.hpp"
#include "deploy/instances.hpp"

namespace calzion::output {

// `plan` for people: per host, one line per service with a sign (+ create,
// ~ replace, - remove, = unchanged, ! keep), the reason and the changed fields,
// then a line "then init: COMMAND" per init command deploy would run after it.
// With `color`, create is green, replace yellow, remove and failures red.
std::string plan_text(const std::vector<deploy::HostOutcome>& outcomes, const std::string& instance,
                      bool color = false);
// `plan --json` and the JSON of `deploy --json`.
std::string outcomes_json(const std::vector<deploy::HostOutcome>& outcomes, const std::string& instance);
// `deploy --dry-run --json`: outcomes_json and "commands", one {"host",
// "command"} per command in `printed`, what exec::DryRunRunner printed ("host:
// COMMAND  # reads N bytes from stdin" lines, where COMMAND is shell-quoted and
// may span lines inside its quotes).
std::string dry_run_json(const std::vector<deploy::HostOutcome>& outcomes, const std::string& instance,
                         const std::string& printed);

// `status` for people: per host and instance, one line per service with its
// state, health, revision and drift. With `color`, running and healthy are green,
// drift yellow, missing, dead, unhealthy and failures red.
std::string status_text(const std::vector<deploy::InstanceStatus>& statuses, bool color = false);
std::string status_json(const std::vector<deploy::InstanceStatus>& statuses);

std::string list_text(const std::vector<deploy::HostListing>& listings);
std::string list_json(const std::vector<deploy::HostListing>& listings);

}  // namespace calzion::output
