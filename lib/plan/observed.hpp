#pragma once

#include <map>
#include <string>
#include <vector>

namespace calzion::plan {

// What a backend finds on a host for an instance, in terms that do not depend
// on the backend: the planner, the ownership check and the orchestrators read
// these, and each backend fills them from its own engine's answer.

// A named volume mounted in a workload.
struct VolumeMount {
    std::string name;    // the volume's name (a 64-digit id for an anonymous one)
    std::string target;  // where it is mounted in the workload
};

// One task of a Swarm service: a container on a node (plain docker has none).
struct Task {
    std::string id;
    std::string node;           // the node's hostname (the infrastructure file names hosts so)
    std::string container;      // the task's container id on that node ("" before it has one)
    std::string state;          // docker's current state: running, pending, failed, shutdown, ...
    std::string desired_state;  // running, shutdown, ...
    std::string error;          // why it failed or is pending, if it says
};

// What runs for one service of an instance (with plain docker: a container;
// with Swarm: a service and its tasks).
struct Workload {
    std::string id;
    std::string name;       // the name calzion gave it
    std::string instance;   // the instance it belongs to
    std::string service;    // the service it runs
    std::string spec_hash;  // the hash of the spec it was started with
    std::string state_dir;  // the state directory that owns it ("" before owners were labelled)
    int revision = 0;       // the revision that started it
    std::string image_id;   // the image it runs, "sha256:..."
    std::string status;     // created, running, restarting, exited, paused, dead
    std::string health;     // healthy, unhealthy, starting, or "" without a check
    int exit_code = 0;
    int restart_count = 0;
    std::string started_at;
    std::vector<VolumeMount> volumes;  // the volumes it mounts
    // Swarm only: the replicas wanted (-1 for a container), the service's
    // current tasks, and, when its spec changed since calzion last set it (by
    // hand: docker service update/scale), what says so ("version 14, calzion
    // left 12"); the planner replaces such a service.
    int replicas = -1;
    std::vector<Task> tasks;
    std::string changed_by_hand;
};

// Everything a backend found about an instance on a host in the read's one
// round trip.
struct Observed {
    std::vector<Workload> workloads;  // those of the instance
    // Named volumes labelled with the instance -> the state directory that owns
    // each ("" for one without an owner).
    std::map<std::string, std::string> volumes;
    // Each image reference the read asked about, as asked -> the id of the
    // image it names on the host; a reference the host lacks is absent.
    std::map<std::string, std::string> image_ids;
};

}  // namespace calzion::plan
