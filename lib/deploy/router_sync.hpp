#pragma once

#include <optional>
#include <string>
#include <vector>

#include "deploy/targets.hpp"
#include "events/reporter.hpp"
#include "router/sync.hpp"

namespace calzion::deploy {

// What `router sync` did on one host.
struct RouterOutcome {
    std::string host;
    router::SyncResult result;
    std::optional<Error> error;
};

// Sync the router of every target host with the routes recorded there (see
// router::sync), all hosts at once; each host's result is also reported as an
// event. Errors are kept per host.
std::vector<RouterOutcome> sync_routers(const Targets& targets, const router::SyncOptions& options,
                                        events::Reporter& reporter);

}  // namespace calzion::deploy
