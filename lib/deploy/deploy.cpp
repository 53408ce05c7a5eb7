#include "deploy/deploy.hpp"

#include "deploy/converge.hpp"
#include "deploy/git_commit.hpp"
#include "exec/local_runner.hpp"
#include "util/sha256.hpp"

namespace calzion::deploy {

namespace {

std::unique_ptr<render::Deployment> render_at(const DeployRequest& request, int revision) {
    render::RenderOptions options = request.render;
    options.revision = revision;
    return std::make_unique<render::Deployment>(render::render(request.source, options));
}

// Plan at the current revision first, so that an unchanged template (even one
// that uses ${revision}) changes nothing; only a real change takes the next number.
void plan_host(HostOutcome& outcome, const DeployRequest& request, const state::HostState& observed) {
    outcome.revision_before = observed.current_revision;
    outcome.revision_after = observed.current_revision;
    outcome.deployment = render_at(request, std::max(1, observed.current_revision));
    outcome.plan = plan_for(*outcome.deployment, observed, request.plan);
    if (outcome.plan.has_changes()) {
        outcome.revision_after = observed.current_revision + 1;
        outcome.deployment = render_at(request, outcome.revision_after);
        outcome.plan = plan_for(*outcome.deployment, observed, request.plan);
    }
}

std::string secrets_env_file(const render::RenderedService& service, const DeployRequest& request) {
    std::string text;
    for (const auto& name : service.secrets) {
        text += name + "=" + request.secret_values.at(name) + "\n";
    }
    return text;
}

ApplyOptions apply_options(const DeployRequest& request, const render::Deployment& deployment) {
    ApplyOptions options = request.apply;
    for (const auto& service : deployment.services) {
        if (!service.secrets.empty()) {
            options.secrets[service.name] = secrets_env_file(service, request);
        }
    }
    return options;
}

// Where the revision's spec comes from: the same for every host, found once.
state::RevisionInfo provenance_of(const DeployRequest& request) {
    state::RevisionInfo info;
    info.command = "deploy";
    info.template_file = request.source.file;
    info.template_digest = util::sha256_hex(request.source.text);
    exec::LocalRunner local;
    info.git_commit = git_commit_of(local, request.source.file);
    return info;
}

void deploy_host(HostOutcome& outcome, exec::Runner& runner, const DeployRequest& request,
                 const state::RevisionInfo& provenance, report::Reporter& reporter) {
    // Lock and read the state in one round trip (a dry run only reads).
    LockedState locked = lock_and_read_for(runner, request.targets.state_dir, request.render.instance, "deploy",
                                           request.lock_timeout, request.dry_run != nullptr,
                                           images_of(*render_at(request, 1)));
    // Plan: what the template wants against what runs.
    plan_host(outcome, request, locked.observed);
    // Apply, record what actually runs as the next revision, unlock.
    ChangeOptions change{apply_options(request, *outcome.deployment), request.dry_run, provenance};
    apply_and_record(outcome, runner, locked, change, reporter);
}

}  // namespace

std::vector<HostOutcome> plan_all(const DeployRequest& request) {
    auto images = images_of(*render_at(request, 1));
    return on_every_host<HostOutcome>(request.targets, [&](HostOutcome& outcome, exec::Runner& runner) {
        state::HostState observed =
            state::read_state(runner, request.targets.state_dir, request.render.instance, images);
        plan_host(outcome, request, observed);
    });
}

std::vector<HostOutcome> deploy_all(const DeployRequest& request, report::Reporter& reporter) {
    state::RevisionInfo provenance = provenance_of(request);
    return on_every_host<HostOutcome>(request.targets, [&](HostOutcome& outcome, exec::Runner& runner) {
        deploy_host(outcome, runner, request, provenance, reporter);
    });
}

}  // namespace calzion::deploy
