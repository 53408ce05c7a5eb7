#pragma once

#include <string>
#include <vector>

#include "deploy/router_sync.hpp"
#include "router/sync.hpp"

namespace calzion::output {

// `router sync --json`: {"hosts": [{"host", "domains", "created", "started",
// "reloaded", "removed", "connected", "disconnected", "error"}]}.
std::string router_sync_json(const std::vector<deploy::RouterOutcome>& outcomes);

}  // namespace calzion::output
