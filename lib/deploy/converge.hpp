#pragma once

// The path every change to an instance takes on one host, whatever asked for it
// (deploy from a template, rollback from a recorded revision): lock and read,
// plan, apply, record, unlock.

#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "backend/backend.hpp"
#include "deploy/apply.hpp"
#include "deploy/deploy.hpp"
#include "exec/runner.hpp"
#include "plan/plan.hpp"
#include "report/reporter.hpp"
#include "state/store.hpp"

namespace calzion::deploy {

// A host's state as read for a change, and the lock that keeps it so.
struct LockedState {
    std::unique_ptr<state::Lock> lock;  // null for a dry run, which changes nothing
    state::HostState observed;          // what the host's record store holds
    backend::Observed runtime;          // what the backend found running
    const backend::Backend* backend = nullptr;  // the one that read it, and applies
};

// Take the instance's lock, waiting up to `lock_timeout` seconds, and read its
// state in the same round trip; for a dry run, only read. `images` are the
// references whose local ids the plan compares. Throws as backend::lock_and_read.
LockedState lock_and_read_for(const backend::Backend& backend, exec::Runner& runner, const std::string& state_dir,
                              const std::string& instance,
                              const std::string& command, int lock_timeout, bool dry_run,
                              const std::vector<std::string>& images);

// The references of the images a deployment runs (a built service's once its
// commit is known: render::RenderOptions::commits).
std::vector<std::string> images_of(const render::Deployment& deployment);

// The plan that brings a host from `observed` to `desired`. Pure.
plan::Plan plan_for(const render::Deployment& desired, const state::HostState& observed,
                    const backend::Observed& runtime, const plan::PlanOptions& options);

// How to carry out one host's change and what to record about it.
struct ChangeOptions {
    ApplyOptions apply;
    std::ostream* dry_run = nullptr;  // set: print the commands instead of running them
    // command, template file and digest, git commit, message; the rest is filled in
    state::RevisionInfo record;
};

// Carry out outcome.plan, made for *outcome.deployment against locked.observed.
// Services kept outside the deployment are reported; when nothing changes that is
// reported and nothing is recorded. Otherwise apply, record revision
// outcome.revision_after with what actually runs, and let the lock go. Throws
// Error(operation_failed) when apply failed, after recording the failure.
void apply_and_record(HostOutcome& outcome, exec::Runner& runner, LockedState& locked, const ChangeOptions& options,
                      report::Reporter& reporter);

}  // namespace calzion::deploy
