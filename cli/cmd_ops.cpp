// restart, stop, start, lock and hosts check: operating deployed instances and
// the hosts themselves.

#include <iostream>

#include "commands.hpp"
#include "common.hpp"
#include "deploy/hosts_check.hpp"
#include "deploy/lifecycle.hpp"
#include "deploy/locks.hpp"
#include "output/operations.hpp"

namespace calzion::cli {

namespace {

deploy::Lifecycle lifecycle_named(const std::string& command) {
    return command == "start" ? deploy::Lifecycle::start
           : command == "stop" ? deploy::Lifecycle::stop
                               : deploy::Lifecycle::restart;
}

}  // namespace

int run_lifecycle(const Invocation& run) {
    deploy::LifecycleRequest request;
    request.targets = targets_for(run);
    request.instance = run.instance;
    request.action = lifecycle_named(run.command);
    request.services = run.services;
    request.lock_timeout = duration_seconds(run.global.lock_timeout, "--lock-timeout");
    request.wait_timeout = run.wait_timeout;
    auto reporter = make_reporter(run, request.targets.hosts);
    auto outcomes = deploy::lifecycle_all(request, *reporter);
    reporter->finish();
    return finish_per_host(outcomes, run,
                           run.global.json ? output::lifecycle_json(outcomes, run.instance, request.action) : "");
}

int run_lock(const Invocation& run) {
    deploy::Targets targets = targets_for(run);
    auto locks = run.break_lock ? deploy::break_all(targets, run.instance) : deploy::locks_all(targets, run.instance);
    return finish_per_host(locks, run,
                           run.global.json ? output::lock_json(locks, run.instance) : output::lock_text(locks, run.instance));
}

int run_hosts_check(const Invocation& run) {
    auto checks = deploy::check_all(targets_for(run));
    return finish_per_host(checks, run,
                           run.global.json ? output::hosts_check_json(checks) : output::hosts_check_text(checks));
}

}  // namespace calzion::cli
