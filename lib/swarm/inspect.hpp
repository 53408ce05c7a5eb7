#pragma once

#include <string>

#include "plan/observed.hpp"
#include "swarm/spec.hpp"

namespace calzion::swarm {

// A service as `docker service inspect --format '{{json .}}'` describes it.
struct InspectedService {
    std::string id;
    long long version = 0;      // Version.Index: Swarm counts every change of the service
    std::string update_state;   // UpdateStatus.State: "" (none), updating, completed, rollback_started, ...
    long long force_update = 0;  // TaskTemplate.ForceUpdate: counts forced updates
    ServiceSpec spec;           // what calzion sets of it (no network: Swarm names it by id)
};

// A task as task_format prints it.
struct InspectedTask {
    plan::Task task;  // `node` holds the node's id until the caller names it
    std::string service_id;
    std::string timestamp;     // of its current state
    std::string task_label;    // its container's k_task_label
    long long force_update = 0;
};

// Parse one line of service JSON. Throws Error(operation_failed) when it is
// not a service's description.
InspectedService parse_service(const std::string& line);

// The --format template for `docker inspect --type task`: one JSON line per
// task with what parse_task reads.
extern const char* const k_task_format;

// Parse one line printed with k_task_format. Throws Error(operation_failed)
// when it cannot be read.
InspectedTask parse_task(const std::string& line);

}  // namespace calzion::swarm
