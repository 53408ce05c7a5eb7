#include "deploy/router_sync.hpp"


namespace calzion::deploy {

std::vector<RouterOutcome> sync_routers(const Targets& targets, const router::SyncOptions& options,
                                        events::Reporter& reporter) {
    return on_every_host<RouterOutcome>(targets, [&](RouterOutcome& outcome, exec::Runner& runner) {
        outcome.result = router::sync(runner, targets.state_dir_for(runner.host()), options);
        reporter.event({events::Event::Kind::done, runner.host(), "router", router::summary(outcome.result)});
    });
}

}  // namespace calzion::deploy
