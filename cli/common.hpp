#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "deploy/targets.hpp"
#include "invocation.hpp"
#include "render/interpolate.hpp"

namespace calzion::cli {

// The process environment as a map.
std::map<std::string, std::string> process_environment();

// The variables of --set, --vars-file and the environment, strongest first.
render::Variables variables_for(const Invocation& run);

// The hosts of --host (none: local) and how to reach them.
deploy::Targets targets_for(const Invocation& run);

// Seconds in "30", "30s", "2m" or "1h". Throws Error(usage) naming `option`.
int duration_seconds(const std::string& text, const std::string& option);

// The exit code for per-host errors, each already shown with its host: 0 when
// there are none, else the worst is thrown. Under --json stdout already holds one
// document with every host's error, so the worst is only printed on stderr and
// its exit code returned.
int exit_for_host_errors(const std::vector<std::optional<Error>>& errors, const Invocation& run);

// exit_for_host_errors over outcomes that each have `std::optional<Error> error`.
template <typename Outcomes>
int finish_per_host(const Outcomes& outcomes, const Invocation& run) {
    std::vector<std::optional<Error>> errors;
    for (const auto& outcome : outcomes) {
        errors.push_back(outcome.error);
    }
    return exit_for_host_errors(errors, run);
}

}  // namespace calzion::cli
