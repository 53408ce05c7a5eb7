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
// Sync the router that serves an instance of `targets` on the host behind
// `runner`: the host's own (router::sync), or for a swarm instance the
// swarm's, on the instance's edge nodes (router::sync_swarm).
router::SyncResult sync_instance_router(exec::Runner& runner, const Targets& targets);

std::vector<RouterOutcome> sync_routers(const Targets& targets, const router::SyncOptions& options,
                                        events::Reporter& reporter);

}  // namespace calzion::deploy
