#pragma once

#include <string>
#include <vector>

#include "deploy/deploy.hpp"
#include "deploy/instances.hpp"

namespace calzion::report {

// `plan` for people: per host, one line per service with a sign (+ create,
// ~ replace, - remove, = unchanged, ! keep), the reason and the changed fields.
std::string plan_text(const std::vector<deploy::HostOutcome>& outcomes, const std::string& instance);
// `plan --json` and the JSON of `deploy --json`.
std::string outcomes_json(const std::vector<deploy::HostOutcome>& outcomes, const std::string& instance);

std::string status_text(const std::vector<deploy::InstanceStatus>& statuses);
std::string status_json(const std::vector<deploy::InstanceStatus>& statuses);

std::string list_text(const std::vector<deploy::HostListing>& listings);
std::string list_json(const std::vector<deploy::HostListing>& listings);

}  // namespace calzion::report
