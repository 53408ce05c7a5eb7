#include "deploy/deploy.hpp"


#include "exec/dry_run_runner.hpp"
#include "exec/local_runner.hpp"
#include "state/fields.hpp"
#include "state/revision.hpp"
#include "state/store.hpp"
#include "util/sha256.hpp"
#include "util/strings.hpp"

namespace calzion::deploy {

namespace {

std::vector<std::string> images_of(const render::Deployment& deployment) {
    std::vector<std::string> images;
    for (const auto& service : deployment.services) {
        if (!service.image.empty()) {
            images.push_back(service.image);
        }
    }
    return images;
}

std::unique_ptr<render::Deployment> render_at(const DeployRequest& request, int revision) {
    render::RenderOptions options = request.render;
    options.revision = revision;
    return std::make_unique<render::Deployment>(render::render(request.source, options));
}

plan::Plan plan_for(const render::Deployment& deployment, const state::HostState& observed,
                    const plan::PlanOptions& options) {
    std::map<std::string, plan::Fields> fields;
    for (const auto& service : deployment.services) {
        fields[service.name] = state::fields_of(service);
    }
    return plan::make_plan(deployment, fields, observed, options);
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

std::vector<std::string> change_lines(const plan::Plan& plan, const ApplyResult& result) {
    std::vector<std::string> lines;
    for (const auto& action : plan.actions) {
        if (action.kind == plan::ActionKind::unchanged || action.kind == plan::ActionKind::keep) {
            continue;
        }
        std::string line = action.service + ": " + plan::to_string(action.kind);
        if (!action.changed_fields.empty()) {
            std::string fields;
            for (const auto& field : action.changed_fields) {
                fields += (fields.empty() ? "" : ", ") + field;
            }
            line += " (" + fields + ")";
        }
        lines.push_back(line + (result.applied.count(action.service) ? "" : " [not done]"));
    }
    return lines;
}

void record(exec::Runner& runner, const HostOutcome& outcome, const DeployRequest& request,
            const state::HostState& observed, const ApplyResult& result) {
    std::set<std::string> current = result.applied;
    std::set<std::string> kept;
    for (const auto& action : outcome.plan.actions) {
        if (action.kind == plan::ActionKind::unchanged) {
            current.insert(action.service);
        } else if (action.kind == plan::ActionKind::keep) {
            kept.insert(action.service);
        }
    }
    state::RevisionInfo info;
    info.revision = outcome.revision_after;
    info.status = result.ok() ? "succeeded" : "failed";
    info.command = "deploy";
    info.template_file = request.source.file;
    info.template_digest = util::sha256_hex(request.source.text);
    info.message = result.error;
    info.changes = change_lines(outcome.plan, result);
    state::record_revision(runner, observed, request.render.instance, info,
                           state::actual_deployment_json(*outcome.deployment, current, kept, observed));
}

// Without --prune, containers of services that left the template stay: say so,
// changes or not, so that they are not forgotten.
void report_kept(const plan::Plan& plan, const std::string& host, report::Reporter& reporter) {
    for (const auto& action : plan.actions) {
        if (action.kind == plan::ActionKind::keep) {
            reporter.event({report::Event::Kind::note, host, action.service, "kept: " + action.reason});
        }
    }
}

void deploy_host(HostOutcome& outcome, exec::Runner& runner, const DeployRequest& request,
                 report::Reporter& reporter) {
    auto images = images_of(*render_at(request, 1));
    const std::string& instance = request.render.instance;
    // A dry run changes nothing, so it needs no lock.
    std::unique_ptr<state::Lock> lock;
    state::HostState observed;
    if (request.dry_run) {
        observed = state::read_state(runner, request.targets.state_dir, instance, images);
    } else {
        std::tie(lock, observed) = state::lock_and_read(runner, request.targets.state_dir, instance, "deploy",
                                                        request.lock_timeout, images);
    }
    plan_host(outcome, request, observed);
    report_kept(outcome.plan, outcome.host, reporter);
    if (!outcome.plan.has_changes()) {
        reporter.event({report::Event::Kind::done, outcome.host, "",
                        "up to date at revision " + std::to_string(outcome.revision_before)});
        return;
    }
    std::optional<exec::DryRunRunner> dry;
    if (request.dry_run) {
        dry.emplace(runner.host(), *request.dry_run);
    }
    exec::Runner& target = dry ? static_cast<exec::Runner&>(*dry) : runner;
    report::SilentReporter silent;
    ApplyResult result = apply(outcome.plan, *outcome.deployment, observed, target, dry ? silent : reporter,
                               apply_options(request, *outcome.deployment));
    record(target, outcome, request, observed, result);
    if (lock) {
        lock->release();
    }
    if (!result.ok()) {
        throw Error(ErrorKind::operation_failed, result.error);
    }
    reporter.event({report::Event::Kind::done, outcome.host, "",
                    (dry ? "would record revision " : "recorded revision ") + std::to_string(outcome.revision_after)});
}

}  // namespace

std::vector<HostOutcome> plan_all(const DeployRequest& request) {
    return on_every_host<HostOutcome>(request.targets, [&](HostOutcome& outcome, exec::Runner& runner) {
        render::Deployment first = *render_at(request, 1);
        state::HostState observed =
            state::read_state(runner, request.targets.state_dir, request.render.instance, images_of(first));
        plan_host(outcome, request, observed);
    });
}

std::vector<HostOutcome> deploy_all(const DeployRequest& request, report::Reporter& reporter) {
    return on_every_host<HostOutcome>(request.targets, [&](HostOutcome& outcome, exec::Runner& runner) {
        deploy_host(outcome, runner, request, reporter);
    });
}

}  // namespace calzion::deploy
