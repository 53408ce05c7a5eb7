#include "deploy/converge.hpp"

#include <optional>

#include "exec/dry_run_runner.hpp"
#include "state/fields.hpp"
#include "state/ownership.hpp"
#include "state/revision.hpp"

namespace calzion::deploy {

namespace {

std::vector<std::string> change_lines(const plan::Plan& plan, const ApplyResult& result) {
    std::vector<std::string> lines;
    for (const auto& action : plan.actions) {
        if (action.kind == plan::ActionKind::keep) {
            continue;
        }
        if (action.kind == plan::ActionKind::unchanged) {
            // What an interrupted deploy left: its new container kept, the old one removed.
            if (!action.leftovers.empty() || action.parked) {
                lines.push_back(action.service + ": leftover containers removed" +
                                (result.applied.count(action.service) ? "" : " [not done]"));
            }
            if (action.init) {
                lines.push_back(action.service + ": init" + (result.applied.count(action.service) ? "" : " [not done]"));
            }
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
        if (action.init) {
            line += ", then init";
        }
        lines.push_back(line + (result.applied.count(action.service) ? "" : " [not done]"));
    }
    return lines;
}

void record(exec::Runner& runner, const HostOutcome& outcome, const state::HostState& observed,
            const state::RevisionInfo& what, const ApplyResult& result) {
    std::set<std::string> current = result.applied;
    std::set<std::string> kept;
    for (const auto& action : outcome.plan.actions) {
        if (action.kind == plan::ActionKind::unchanged && !result.restored.count(action.service)) {
            current.insert(action.service);
        } else if (action.kind == plan::ActionKind::keep) {
            kept.insert(action.service);
        }
    }
    state::RevisionInfo info = what;
    info.revision = outcome.revision_after;
    info.status = result.ok() ? "succeeded" : "failed";
    if (!result.ok()) {
        info.message += (info.message.empty() ? "" : ": ") + result.error;
    }
    info.changes = change_lines(outcome.plan, result);
    state::record_revision(runner, observed, outcome.deployment->instance, info,
                           state::actual_deployment(*outcome.deployment, current, kept, observed));
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

}  // namespace

LockedState lock_and_read_for(exec::Runner& runner, const std::string& state_dir, const std::string& instance,
                              const std::string& command, int lock_timeout, bool dry_run,
                              const std::vector<std::string>& images) {
    LockedState locked;
    if (dry_run) {
        locked.observed = state::read_state(runner, state_dir, instance, images);
        state::check_owner(locked.observed, instance, runner.host());
    } else {
        std::tie(locked.lock, locked.observed) =
            state::lock_and_read(runner, state_dir, instance, command, lock_timeout, images);
    }
    return locked;
}

std::vector<std::string> images_of(const render::Deployment& deployment) {
    std::vector<std::string> images;
    for (const auto& service : deployment.services) {
        if (!service.image.empty()) {
            images.push_back(service.image);
        }
    }
    return images;
}

plan::Plan plan_for(const render::Deployment& desired, const state::HostState& observed,
                    const plan::PlanOptions& options) {
    std::map<std::string, plan::Fields> fields;
    for (const auto& service : desired.services) {
        fields[service.name] = state::fields_of(service);
    }
    return plan::make_plan(desired, fields, observed, options);
}

void apply_and_record(HostOutcome& outcome, exec::Runner& runner, LockedState& locked, const ChangeOptions& options,
                      report::Reporter& reporter) {
    report_kept(outcome.plan, outcome.host, reporter);
    if (!outcome.plan.has_changes()) {
        reporter.event({report::Event::Kind::done, outcome.host, "",
                        "up to date at revision " + std::to_string(outcome.revision_before)});
        return;
    }
    std::optional<exec::DryRunRunner> dry;
    if (options.dry_run) {
        dry.emplace(runner.host(), *options.dry_run);
    }
    exec::Runner& target = dry ? static_cast<exec::Runner&>(*dry) : runner;
    report::SilentReporter silent;
    ApplyResult result = apply(outcome.plan, *outcome.deployment, locked.observed, target, dry ? silent : reporter,
                               options.apply);
    record(target, outcome, locked.observed, options.record, result);
    if (locked.lock) {
        locked.lock->release();
    }
    if (!result.ok()) {
        throw Error(ErrorKind::operation_failed, result.error);
    }
    std::string why = options.record.message.empty() ? "" : " (" + options.record.message + ")";
    reporter.event({report::Event::Kind::done, outcome.host, "",
                    (dry ? "would record revision " : "recorded revision ") + std::to_string(outcome.revision_after) +
                        why});
}

}  // namespace calzion::deploy
