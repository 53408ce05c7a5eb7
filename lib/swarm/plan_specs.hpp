#pragma once

#include <map>
#include <string>

#include "backend/apply.hpp"
#include "plan/plan.hpp"
#include "state/host_state.hpp"
#include "swarm/observe.hpp"
#include "swarm/prepare.hpp"
#include "swarm/spec.hpp"

namespace calzion::swarm {

// The specs an apply works with, all found before anything changes.
struct PlannedSpecs {
    SwarmView view;                             // what the read found on the manager
    std::map<std::string, ServiceSpec> specs;   // by service: those the plan creates, replaces or inits
    Preparation preparation;                    // network, volumes and secrets they need
};

// The desired spec of every service that `plan` creates, replaces or runs the
// init of, with the Swarm secrets each mounts: those of the values
// `options.secrets` gives, else (a rollback) the ones the service mounts now.
// Throws as desired_spec, Error(invalid_data) for a service that wants more
// replicas than the swarm has nodes while it publishes a fixed port in host
// mode, and Error(operation_failed) when the manager's answer in
// `recorded.observer_output` cannot be read.
PlannedSpecs plan_specs(const plan::Plan& plan, const render::Deployment& desired, const state::HostState& recorded,
                        const backend::ApplyOptions& options);

// Whether `action` starts tasks of a new spec (create or replace).
bool changes_service(const plan::Action& action);

}  // namespace calzion::swarm
