#pragma once

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "deploy/apply.hpp"
#include "deploy/targets.hpp"
#include "plan/plan.hpp"
#include "render/render.hpp"
#include "report/reporter.hpp"

namespace calzion::deploy {

// Everything `plan` and `deploy` need.
struct DeployRequest {
    render::Source source;
    render::RenderOptions render;  // instance and variables; the revision is set per host
    Targets targets;
    plan::PlanOptions plan;
    ApplyOptions apply;
    int lock_timeout = 0;               // seconds to wait for another deploy's lock
    std::ostream* dry_run = nullptr;    // set: print the commands instead of running them
    std::map<std::string, std::string> secret_values;  // by secret name
};

// What happened on one host.
struct HostOutcome {
    std::string host;
    int revision_before = 0;
    int revision_after = 0;  // equal to revision_before when nothing changed
    std::unique_ptr<render::Deployment> deployment;  // what the plan's actions point into
    plan::Plan plan;
    std::optional<Error> error;
};

// Read every host's state (one round trip each, no lock) and plan. Errors are
// kept per host.
std::vector<HostOutcome> plan_all(const DeployRequest& request);

// Deploy to every host in parallel: lock and read (one round trip), plan, apply,
// record what runs, unlock. Errors are kept per host and reported as they happen.
std::vector<HostOutcome> deploy_all(const DeployRequest& request, report::Reporter& reporter);

}  // namespace calzion::deploy
