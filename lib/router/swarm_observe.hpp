#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "exec/runner.hpp"

namespace calzion::router {

// A node of the swarm, as its manager knows it.
struct SwarmNode {
    std::string id;
    std::string hostname;
    std::string address;     // Status.Addr, as the swarm reaches it
    bool ready = false;      // Status.State is ready
    bool active = false;     // Spec.Availability is active (not paused, not drained)
    std::string edge_label;  // the value of its label io.calzion.edge; empty without one

    bool available() const { return ready && active; }
};

// A port the service publishes.
struct SwarmPort {
    int published = 0;
    int target = 0;
    std::string mode;      // host, ingress
    std::string protocol;  // tcp, udp, sctp
};

// A Swarm config the service mounts.
struct SwarmConfigMount {
    std::string name;
    std::string target;  // the file in the container
};

// The Swarm service named calzion-router, as `docker service inspect` shows it.
struct SwarmRouterService {
    bool ours = false;    // labelled io.calzion.router=1
    bool global = false;  // --mode global
    std::string image;
    std::vector<std::string> args;
    std::vector<std::string> constraints;
    std::vector<SwarmPort> ports;
    std::vector<SwarmConfigMount> configs;
    std::vector<std::string> networks;  // ids
    std::string spec_hash;              // its tasks' container label io.calzion.spec-hash
    std::string update_started;         // when its last update started (UpdateStatus.StartedAt); empty: never
};

// What one round trip on a manager tells about the swarm's router.
struct SwarmObservation {
    std::string node_id;  // the manager's own
    std::vector<SwarmNode> nodes;
    std::map<std::string, std::string> networks;  // the swarm's overlay networks: name -> id
    std::optional<SwarmRouterService> service;
    std::vector<std::string> configs;  // labelled io.calzion.router=1, sorted

    const SwarmNode* node(const std::string& id) const;
};

// argv that prints what sync_swarm needs to know about a swarm from one of its
// managers (see parse_swarm_observation): the manager's swarm state and node,
// every node, the overlay networks, the service calzion-router and the
// router's configs.
std::vector<std::string> swarm_observe_argv();

// Parse what swarm_observe_argv printed on `host` (from "@@calzion swarm" to
// "@@calzion end"). Throws Error(operation_failed) when docker did not answer,
// the host is no manager of an active swarm, or the output is cut short or
// cannot be read.
SwarmObservation parse_swarm_observation(const std::string& output, const std::string& host);

// Observe the swarm from the manager `runner` reaches, in one round trip.
// Throws as parse_swarm_observation does, and Error(operation_failed) when the
// host cannot run the script.
SwarmObservation observe_swarm(exec::Runner& runner);

// argv that waits up to `seconds` for the router's service to converge: the
// update just sent, if any, has started and completed (`since`: the service's
// update_started before it, "" when it had none; nullopt when no update was
// sent), no update is paused, each node of `nodes` (ids) has a running task
// labelled `spec_hash`, and the nodes of `left` (ids) have none that has not
// ended (stopped, failed, rejected...).
// Prints a verdict line (converged; paused or
// rollback_paused: an update waits for a person; rollback_completed: the
// update sent failed and was rolled back; failing: three tasks failed
// meanwhile; timeout; gone: the service was removed), the update's message,
// then the service's tasks, one a line ("NODE DESIRED-STATE CURRENT-STATE
// ERROR"); exits 0 only when converged.
std::vector<std::string> swarm_wait_argv(const std::optional<std::string>& since, const std::string& spec_hash,
                                         int seconds, const std::vector<std::string>& nodes,
                                         const std::vector<std::string>& left = {});

// argv that waits up to `seconds` until the removed service has no task left
// on `nodes` (ids); prints "removed", or "timeout" and the tasks left.
std::vector<std::string> swarm_wait_removed_argv(int seconds, const std::vector<std::string>& nodes);

// How a wait ended.
struct SwarmWait {
    std::string verdict;  // the first line's word
    std::string message;  // the update's message, if any
    std::vector<std::string> tasks;  // the lines after

    bool converged() const { return verdict == "converged" || verdict == "removed"; }
};

SwarmWait parse_swarm_wait(const std::string& output);

}  // namespace calzion::router
