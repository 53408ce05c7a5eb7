#include "deploy/converge.hpp"

#include <optional>

#include "state/fields.hpp"
#include "backend/ownership.hpp"
#include "backend/read.hpp"
#include "state/revision.hpp"

namespace calzion::deploy {

namespace {

std::vector<std::string> change_lines(const plan::Plan& plan, const backend::ApplyResult& result) {
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

void record(ops::Session& session, const HostOutcome& outcome, const state::RevisionInfo& what,
            const backend::ApplyResult& result) {
    const state::HostState& observed = session.observed();
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
        info.message += (info.message.empty() ? "" : ": ") + result.error->message();
    }
    info.changes = change_lines(outcome.plan, result);
    session.record_revision(info, state::actual_deployment(*outcome.deployment, current, kept, observed));
}

// Without --prune, containers of services that left the template stay: say so,
// changes or not, so that they are not forgotten.
void report_kept(const plan::Plan& plan, const std::string& host, events::Reporter& reporter) {
    for (const auto& action : plan.actions) {
        if (action.kind == plan::ActionKind::keep) {
            reporter.event({events::Event::Kind::note, host, action.service, "kept: " + action.reason});
        }
    }
}

}  // namespace

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
                    const plan::Observed& runtime, const plan::PlanOptions& options) {
    std::map<std::string, plan::Fields> fields;
    for (const auto& service : desired.services) {
        fields[service.name] = state::fields_of(service);
    }
    return plan::make_plan(desired, fields, observed, runtime, options);
}

void apply_and_record(HostOutcome& outcome, ops::Session& session, const ChangeOptions& options,
                      events::Reporter& reporter) {
    report_kept(outcome.plan, outcome.host, reporter);
    if (!outcome.plan.has_changes()) {
        reporter.event({events::Event::Kind::done, outcome.host, "",
                        "up to date at revision " + std::to_string(outcome.revision_before)});
        return;
    }
    events::SilentReporter silent;
    backend::ApplyResult result = session.backend().apply(outcome.plan, *outcome.deployment, session.observed(),
                                                 session.runner(), session.dry_run() ? silent : reporter,
                                                 options.apply);
    record(session, outcome, options.record, result);
    session.release();
    if (!result.ok()) {
        throw *result.error;  // with its kind: a lost connection exits as unreachable
    }
    std::string why = options.record.message.empty() ? "" : " (" + options.record.message + ")";
    reporter.event({events::Event::Kind::done, outcome.host, "",
                    (session.dry_run() ? "would record revision " : "recorded revision ") +
                        std::to_string(outcome.revision_after) + why});
}

}  // namespace calzion::deploy
