// history and rollback: an instance's revisions, and going back to one of them,
// from host state alone.

#include <iostream>

#include "commands.hpp"
#include "common.hpp"
#include "deploy/history.hpp"
#include "deploy/rollback.hpp"
#include "output/history.hpp"
#include "output/outcomes.hpp"

namespace calzion::cli {

int run_history(const Invocation& run) {
    auto histories = deploy::history_all(targets_for(run), run.instance);
    return finish_per_host(histories, run,
                           run.global.json ? output::history_json(histories, run.instance)
                                           : output::history_text(histories, run.instance));
}

int run_rollback(const Invocation& run) {
    deploy::RollbackRequest request;
    request.instance = run.instance;
    request.to_revision = run.to_revision;
    request.targets = targets_for(run);
    request.wait_timeout = run.wait_timeout;
    request.lock_timeout = duration_seconds(run.global.lock_timeout, "--lock-timeout");
    auto reporter = make_reporter(run, request.targets.hosts);
    auto outcomes = deploy::rollback_all(request, *reporter);
    reporter->finish();
    return finish_per_host(outcomes, run, run.global.json ? output::outcomes_json(outcomes, run.instance) : "");
}

}  // namespace calzion::cli
