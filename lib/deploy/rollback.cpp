#include "deploy/rollback.hpp"

#include "deploy/converge.hpp"
#include "ops/session.hpp"
#include "render/deployment_json.hpp"
#include "render/names.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace calzion::deploy {

namespace {

// "1-5", "1-3, 5": the revisions a history holds, oldest first.
std::string revision_ranges(const state::History& history) {
    std::string out;
    for (auto it = history.revisions.rbegin(); it != history.revisions.rend();) {
        int first = it->revision;
        int last = first;
        for (++it; it != history.revisions.rend() && it->revision == last + 1; ++it) {
            last = it->revision;
        }
        out += (out.empty() ? "" : ", ") + std::to_string(first) + (last > first ? "-" + std::to_string(last) : "");
    }
    return out;
}

// The revision's deployment, as the next revision: its containers carry that number.
std::unique_ptr<render::Deployment> deployment_for(const state::Revision& target, const std::string& instance,
                                                   int revision) {
    auto deployment = std::make_unique<render::Deployment>(state::runnable_deployment(target));
    if (deployment->instance != instance) {
        throw Error(ErrorKind::invalid_data, "revision " + std::to_string(target.revision) + " of " +
                                                 util::quoted(instance) + " records instance " +
                                                 util::quoted(deployment->instance));
    }
    deployment->revision = revision;
    for (auto& service : deployment->services) {
        rename_recorded(service, instance);
        service.labels["io.calzion.revision"] = std::to_string(revision);
    }
    return deployment;
}

// Services the revision did not have go: a rollback prunes.
void plan_rollback(HostOutcome& outcome, const state::Revision& target, const std::string& instance,
                   const state::HostState& observed, const plan::Observed& runtime) {
    outcome.revision_before = observed.current_revision;
    outcome.deployment = deployment_for(target, instance, observed.current_revision + 1);
    plan::PlanOptions options;
    options.prune = true;
    options.builds = false;
    outcome.plan = plan_for(*outcome.deployment, observed, runtime, options);
    for (auto& action : outcome.plan.actions) {
        if (action.kind == plan::ActionKind::remove) {
            action.reason = "not in revision " + std::to_string(target.revision);
        }
    }
    outcome.revision_after = observed.current_revision + (outcome.plan.has_changes() ? 1 : 0);
}

// The new revision comes from the old one's template, so it records its origin.
ChangeOptions change_options(const RollbackRequest& request, const state::Revision& target) {
    ChangeOptions change;
    change.apply.pull = render::PullPolicy::never;
    change.apply.wait_timeout = request.wait_timeout;
    change.record.command = "rollback";
    change.record.template_file = target.template_file;
    change.record.template_digest = target.template_digest;
    change.record.git_commit = target.git_commit;
    change.record.message = "rollback to revision " + std::to_string(target.revision);
    return change;
}

void rollback_host(HostOutcome& outcome, exec::Runner& runner, const RollbackRequest& request,
                   events::Reporter& reporter) {
    // Lock and read the state, then the history under the same lock: what the
    // default target and the new number depend on cannot change in between.
    // (No image ids: a revision records references, not ids, so only specs count.)
    ops::SessionOptions options;
    options.state_dir = request.targets.state_dir_for(runner.host());
    options.instance = request.instance;
    options.command = "rollback";
    options.lock_timeout = request.lock_timeout;
    options.backend = request.targets.backend;
    ops::Session session(runner, options);
    state::History history = state::read_history(runner, options.state_dir, request.instance);
    // Pick the revision and plan its deployment against what runs.
    const state::Revision& target = rollback_target(history, request.to_revision, request.instance, outcome.host);
    reporter.event({events::Event::Kind::step, outcome.host, "",
                    "rolling back to revision " + std::to_string(target.revision) + " (" + target.command + " of " +
                        target.time + " by " + target.user + "@" + target.machine + ")"});
    plan_rollback(outcome, target, request.instance, session.observed(), session.runtime());
    // Apply, record what actually runs as a new revision, unlock.
    apply_and_record(outcome, session, change_options(request, target), reporter);
}

}  // namespace

void rename_recorded(render::RenderedService& service, const std::string& instance) {
    std::string container = render::container_name(instance, service.name);
    std::string old_volume_prefix = "cz-" + instance + "-";
    bool renamed = service.container != container;
    service.container = container;
    for (auto& mount : service.mounts) {
        if (mount.type == render::MountType::volume && mount.source.starts_with(old_volume_prefix)) {
            mount.source = render::volume_name(instance, mount.source.substr(old_volume_prefix.size()));
            renamed = true;
        }
    }
    if (renamed) {
        service.spec_hash = render::spec_hash(service);
        service.labels["io.calzion.spec-hash"] = service.spec_hash;
    }
}

const state::Revision& rollback_target(const state::History& history, std::optional<int> to,
                                             const std::string& instance, const std::string& host) {
    std::string name = util::quoted(instance);
    if (history.revisions.empty()) {
        throw Error(ErrorKind::usage, "instance " + name + " has no revisions on " + host + ": nothing to roll back to");
    }
    if (to) {
        if (const state::Revision* record = history.find(*to)) {
            return *record;
        }
        throw Error(ErrorKind::usage, "instance " + name + " has no revision " + std::to_string(*to) + " on " + host +
                                          " (it has " + revision_ranges(history) + ")");
    }
    for (const auto& record : history.revisions) {
        if (record.revision < history.current_revision && record.status == "succeeded") {
            return record;
        }
    }
    throw Error(ErrorKind::usage, "instance " + name + " has no succeeded revision before revision " +
                                      std::to_string(history.current_revision) + " on " + host +
                                      ": nothing to roll back to (see calzion history)");
}

std::vector<HostOutcome> rollback_all(const RollbackRequest& request, events::Reporter& reporter) {
    return on_every_host<HostOutcome>(request.targets, [&](HostOutcome& outcome, exec::Runner& runner) {
        rollback_host(outcome, runner, request, reporter);
    });
}

}  // namespace calzion::deploy
