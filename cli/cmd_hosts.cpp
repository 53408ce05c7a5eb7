// plan, deploy, status, list, destroy: the commands that talk to hosts.

#include <iostream>

#include "commands.hpp"
#include "common.hpp"
#include "deploy/deploy.hpp"
#include "deploy/instances.hpp"
#include "deploy/secrets.hpp"
#include "report/outcomes.hpp"
#include "util/strings.hpp"

namespace calzion::cli {

namespace {

docker::PullPolicy pull_policy(const std::string& name) {
    return name == "always" ? docker::PullPolicy::always
           : name == "never" ? docker::PullPolicy::never
                             : docker::PullPolicy::missing;
}

// Gather everything plan and deploy need; reads the template and renders it once
// to check it and to find the secrets it needs.
deploy::DeployRequest request_for(const Invocation& run) {
    deploy::DeployRequest request;
    request.source = render::load_source(run.template_file);
    request.render.instance = run.instance;
    request.render.variables = variables_for(run);
    render::Deployment first = render::render(request.source, request.render);
    for (const auto& service : first.services) {
        if (service.image.empty()) {
            throw Error(ErrorKind::usage, "service " + util::quoted(service.name) +
                                              " is built from source (git/build), which deploy cannot do yet");
        }
    }
    // Only deploy needs secret values: plan works without them.
    if (run.command == "deploy") {
        request.secret_values = deploy::resolve_secrets(first, process_environment(), run.secrets_files);
    }
    request.targets = targets_for(run);
    request.plan.force = run.force;
    request.plan.prune = run.prune;
    request.apply.pull = pull_policy(run.pull);
    request.apply.wait_timeout = run.wait_timeout;
    request.lock_timeout = duration_seconds(run.global.lock_timeout, "--lock-timeout");
    return request;
}

}  // namespace

int run_plan(const Invocation& run) {
    deploy::DeployRequest request = request_for(run);
    auto outcomes = deploy::plan_all(request);
    if (run.global.json) {
        std::cout << report::outcomes_json(outcomes, run.instance);
    } else {
        std::cout << report::plan_text(outcomes, run.instance);
    }
    if (int failed = finish_per_host(outcomes, run)) {
        return failed;
    }
    bool changes = false;
    for (const auto& outcome : outcomes) {
        changes = changes || outcome.plan.has_changes();
    }
    return run.detailed_exitcode && changes ? 2 : 0;
}

int run_deploy(const Invocation& run) {
    deploy::DeployRequest request = request_for(run);
    request.dry_run = run.dry_run ? &std::cout : nullptr;
    report::LineReporter reporter(std::cerr, run.global.quiet);
    auto outcomes = deploy::deploy_all(request, reporter);
    if (run.global.json) {
        std::cout << report::outcomes_json(outcomes, run.instance);
    }
    return finish_per_host(outcomes, run);
}

int run_status(const Invocation& run) {
    auto statuses = deploy::status_all(targets_for(run), run.instance);
    std::cout << (run.global.json ? report::status_json(statuses) : report::status_text(statuses));
    return finish_per_host(statuses, run);
}

int run_list(const Invocation& run) {
    auto listings = deploy::list_all(targets_for(run));
    std::cout << (run.global.json ? report::list_json(listings) : report::list_text(listings));
    return finish_per_host(listings, run);
}

int run_destroy(const Invocation& run) {
    report::LineReporter reporter(std::cerr, run.global.quiet);
    auto errors = deploy::destroy_all(targets_for(run), run.instance, run.volumes,
                                      duration_seconds(run.global.lock_timeout, "--lock-timeout"), reporter);
    deploy::throw_worst(errors);
    return 0;
}

}  // namespace calzion::cli
