#include "deploy/router_sync.hpp"


#include "router/swarm_sync.hpp"

namespace calzion::deploy {

router::SyncResult sync_instance_router(exec::Runner& runner, const Targets& targets) {
    std::string state_dir = targets.state_dir_for(runner.host());
    if (targets.backend == "swarm") {
        return router::sync_swarm(runner, state_dir, targets.router, targets.edges);
    }
    return router::sync(runner, state_dir, targets.router);
}

std::vector<RouterOutcome> sync_routers(const Targets& targets, const router::SyncOptions& options,
                                        events::Reporter& reporter) {
    return on_every_host<RouterOutcome>(targets, [&](RouterOutcome& outcome, exec::Runner& runner) {
        outcome.result = router::sync(runner, targets.state_dir_for(runner.host()), options);
        reporter.event({events::Event::Kind::done, runner.host(), "router", router::summary(outcome.result)});
    });
}

}  // namespace calzion::deploy
