// router sync: the router that serves the instances' domains on each host.

#include <algorithm>
#include <iostream>

#include "commands.hpp"
#include "common.hpp"
#include "deploy/router_sync.hpp"
#include "output/router.hpp"

namespace calzion::cli {

int run_router_sync(const Invocation& run) {
    // The infrastructure file's router settings, as deploy uses them; the
    // command line overrides them.
    deploy::Targets targets = targets_for(run);
    router::SyncOptions options = targets.router;
    if (!run.router_image.empty()) {
        options.image = run.router_image;
    }
    if (run.http_port) {
        options.http_port = *run.http_port;
    }
    // The router lock is held for seconds: wait for it at least a minute.
    options.lock_wait_seconds =
        std::max(options.lock_wait_seconds, duration_seconds(run.global.lock_timeout, "--lock-timeout"));
    auto reporter = make_reporter(run);
    auto outcomes = deploy::sync_routers(targets, options, *reporter);
    reporter->finish();
    return finish_per_host(outcomes, run, run.global.json ? output::router_sync_json(outcomes) : "");
}

}  // namespace calzion::cli
