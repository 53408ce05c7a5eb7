#pragma once

#include <string>

#include "backend/backend.hpp"
#include "swarm/argv.hpp"

namespace calzion::swarm {

// How long `calzion stop` waits for a service's tasks to stop.
inline constexpr int k_stop_timeout = 120;

// Scale the service to 0 and wait until no task runs. Throws
// Error(operation_failed) naming the service with what went wrong.
void stop(exec::Runner& runner, const backend::WorkloadRef& workload);

// Scale the service back to the replicas calzion gave it (its label
// k_replicas_label; 1 without it) and wait until it converged.
void start(exec::Runner& runner, const backend::WorkloadRef& workload, const backend::Readiness& readiness);

// A forced rolling update: each task replaced by a new one as the service's
// update policy says, the service serving meanwhile, at the replicas calzion
// gave it (a stopped service starts again); waited for like start.
void restart(exec::Runner& runner, const backend::WorkloadRef& workload, const backend::Readiness& readiness);

// argv that prints the replicas calzion gave service `name` (its label).
Argv replicas_argv(const std::string& name);

}  // namespace calzion::swarm
