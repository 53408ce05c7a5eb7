// plan, deploy, status, list, destroy: the commands that talk to hosts.

#include <algorithm>
#include <iostream>
#include <sstream>
#include <unistd.h>

#include "commands.hpp"
#include "common.hpp"
#include "deploy_request.hpp"
#include "deploy/deploy.hpp"
#include "deploy/instances.hpp"
#include "deploy/secrets.hpp"
#include "exec/local_runner.hpp"
#include "output/destroy.hpp"
#include "output/outcomes.hpp"
#include "terminal.hpp"
#include "util/strings.hpp"

namespace calzion::cli {

namespace {

// A named instance that is on none of the hosts, for status and destroy without
// --missing-ok: most likely a typo, which must not look like success. An
// instance found on some hosts (placed over several) may be absent from others.
template <typename Outcome>
void fail_if_nowhere(std::vector<Outcome>& outcomes, const Invocation& run) {
    bool somewhere = std::any_of(outcomes.begin(), outcomes.end(),
                                 [](const Outcome& outcome) { return !outcome.missing && !outcome.error; });
    if (run.missing_ok || somewhere) {
        return;
    }
    for (auto& outcome : outcomes) {
        if (outcome.missing) {
            outcome.error = Error(ErrorKind::operation_failed,
                                  "no instance " + util::quoted(run.instance) + " on " + outcome.host);
        }
    }
}

}  // namespace

int run_plan(const Invocation& run) {
    deploy::DeployRequest request = deploy_request_for(run, {run.allow_dirty, std::nullopt});
    auto outcomes = deploy::plan_all(request);
    // --quiet with --detailed-exitcode: the exit code alone says it.
    std::string output = run.global.json ? output::outcomes_json(outcomes, run.instance)
                         : run.global.quiet && run.detailed_exitcode
                             ? ""
                             : output::plan_text(outcomes, run.instance, use_color(run.global.color, STDOUT_FILENO));
    if (int failed = finish_per_host(outcomes, run, output)) {
        return failed;
    }
    bool changes = false;
    for (const auto& outcome : outcomes) {
        changes = changes || outcome.plan.has_changes();
    }
    return run.detailed_exitcode && changes ? 2 : 0;
}

int run_deploy(const Invocation& run) {
    deploy::DeployRequest request = deploy_request_for(run, {run.allow_dirty, std::nullopt});
    // Under --json the commands of --dry-run go into the document.
    std::ostringstream dry_commands;
    request.dry_run = !run.dry_run ? nullptr : run.global.json ? &dry_commands : &std::cout;
    auto reporter = make_reporter(run, request.targets.hosts);
    auto outcomes = deploy::deploy_all(request, *reporter);
    reporter->finish();
    std::string output;
    if (run.global.json) {
        output = run.dry_run ? output::dry_run_json(outcomes, run.instance, dry_commands.str())
                             : output::outcomes_json(outcomes, run.instance);
    }
    return finish_per_host(outcomes, run, output);
}

int run_status(const Invocation& run) {
    auto statuses = deploy::status_all(targets_for(run), run.instance);
    fail_if_nowhere(statuses, run);
    return finish_per_host(statuses, run,
                           run.global.json ? output::status_json(statuses)
                                           : output::status_text(statuses, use_color(run.global.color, STDOUT_FILENO)));
}

int run_list(const Invocation& run) {
    auto listings = deploy::list_all(targets_for(run));
    return finish_per_host(listings, run, run.global.json ? output::list_json(listings) : output::list_text(listings));
}

int run_destroy(const Invocation& run) {
    int lock_timeout = duration_seconds(run.global.lock_timeout, "--lock-timeout");
    deploy::Targets targets = targets_for(run);
    auto reporter = make_reporter(run, targets.hosts);
    auto outcomes = deploy::destroy_all(targets, run.instance, run.volumes, lock_timeout, *reporter);
    fail_if_nowhere(outcomes, run);
    for (auto& outcome : outcomes) {
        if (outcome.missing && !outcome.error) {
            reporter->event({events::Event::Kind::done, outcome.host, "",
                             "no instance " + util::quoted(run.instance) + ": nothing to destroy"});
        }
    }
    reporter->finish();
    return finish_per_host(outcomes, run,
                           run.global.json ? output::destroy_json(outcomes, run.instance, run.volumes) : "");
}

}  // namespace calzion::cli
