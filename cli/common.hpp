#pragma once

#include <map>
#include <string>

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

}  // namespace calzion::cli
