#include "deploy/router_sync.hpp"

#include "report/router.hpp"

namespace calzion::deploy {

std::vector<RouterOutcome> sync_routers(const Targets& targets, const router::SyncOptions& options,
                                        report::Reporter& reporter) {
    return on_every_host<RouterOutcome>(targets, [&](RouterOutcome& outcome, exec::Runner& runner) {
        outcome.result = router::sync(runner, targets.state_dir_for(runner.host()), options);
        reporter.event({report::Event::Kind::done, runner.host(), "router", report::router_summary(outcome.result)});
    });
}

}  // namespace calzion::deploy
