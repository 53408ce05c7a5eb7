#pragma once

// The part of a change to an instance on one host that deploy and rollback
// share, inside an ops::Session: plan, apply, record, unlock.

#include <memory>
#include <string>
#include <vector>

#include "backend/backend.hpp"
#include "backend/apply.hpp"
#include "deploy/deploy.hpp"
#include "exec/runner.hpp"
#include "ops/session.hpp"
#include "plan/plan.hpp"
#include "events/reporter.hpp"
#include "state/store.hpp"

namespace calzion::deploy {

// The references of the images a deployment runs (a built service's once its
// commit is known: render::RenderOptions::commits).
std::vector<std::string> images_of(const render::Deployment& deployment);

// The plan that brings a host from `observed` to `desired`. Pure.
plan::Plan plan_for(const render::Deployment& desired, const state::HostState& observed,
                    const plan::Observed& runtime, const plan::PlanOptions& options);

// How to carry out one host's change and what to record about it.
struct ChangeOptions {
    backend::ApplyOptions apply;
    // command, template file and digest, git commit, message; the rest is filled in
    state::RevisionInfo record;
};

// Carry out outcome.plan, made for *outcome.deployment against
// session.observed(), through session.runner() (printed for a dry run).
// Services kept outside the deployment are reported; when nothing changes that
// is reported and nothing is recorded. Otherwise apply, record revision
// outcome.revision_after with what actually runs, and let the lock go. Throws
// apply's error, with its kind and host, after recording the failure.
void apply_and_record(HostOutcome& outcome, ops::Session& session, const ChangeOptions& options,
                      events::Reporter& reporter);

}  // namespace calzion::deploy
