#pragma once

#include <string>
#include <vector>

#include "deploy/router_sync.hpp"
#include "router/sync.hpp"

namespace calzion::report {

// What router::sync did, in one line: "serves 2 domains (a.example.com,
// b.example.com): created, joined cz-a, cz-b", "serves 1 domain
// (a.example.com): unchanged", "removed: no instance routes a domain".
std::string router_summary(const router::SyncResult& result);

// `router sync --json`: {"hosts": [{"host", "domains", "created", "started",
// "reloaded", "removed", "connected", "disconnected", "error"}]}.
std::string router_sync_json(const std::vector<deploy::RouterOutcome>& outcomes);

}  // namespace calzion::report
