#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "deploy/targets.hpp"
#include "backend/volumes.hpp"
#include "events/reporter.hpp"

namespace calzion::deploy {

// A service as `status` sees it: what the host recorded against what runs.
struct ServiceStatus {
    std::string service;
    std::string container;
    int revision = 0;     // revision the running container was created in
    std::string state;    // running, exited, ..., or "missing"
    std::string health;   // healthy, unhealthy, starting, or empty
    std::string drift;    // empty when the container matches the record, else why not
    // Swarm: the replicas wanted (-1 for a container), those running per node,
    // and what the tasks that are not running say ("host3: pending: no
    // suitable node", "host2: orphaned (rescheduled)").
    int replicas = -1;
    std::map<std::string, int> running_on;
    std::vector<std::string> task_notes;
};

// The command and message of the current revision when it records a failure
// ("deploy", "readiness of web timed out"), both empty when it does not.
struct LastFailure {
    std::string command;
    std::string message;
};

struct InstanceStatus {
    std::string host;
    std::string instance;
    int revision = 0;  // current recorded revision, 0 if none
    std::string lock_owner;
    LastFailure last_failure;  // the current revision's, if it records a failure
    bool missing = false;      // nothing of the instance is on the host
    std::vector<ServiceStatus> services;
    std::optional<Error> error;
};

// Status of `instance` on every target host, or of every instance recorded on
// them when `instance` is empty. Needs no template. Errors are kept per host. A
// host with nothing of a named instance (no record, no container) gives a status
// marked `missing`: the caller decides whether that is an error.
std::vector<InstanceStatus> status_all(const Targets& targets, const std::string& instance);

// One instance recorded on a host, as `list` shows it.
struct InstanceSummary {
    std::string host;
    std::string instance;
    int revision = 0;
    std::string time;  // of the last change
    std::string user;     // who made the last change
    std::string machine;  // and on which machine
    std::string status;
};

struct HostListing {
    std::string host;
    std::vector<InstanceSummary> instances;
    std::optional<Error> error;
};

std::vector<HostListing> list_all(const Targets& targets);

// What destroy removed from one host, as far as it got.
struct DestroyOutcome {
    std::string host;
    std::vector<std::string> containers;     // removed
    std::string network;                     // the instance's network
    bool network_removed = false;            // false: it was already gone, or is still in use
    std::vector<backend::NamedVolume> named_volumes;  // the instance's named volumes on the host, removed or kept
    // Named volumes and volume directories: all removed, only partly (a volume
    // stayed, see named_volumes), or kept (no --volumes).
    enum class Data { kept, partly_kept, removed } data = Data::kept;
    std::string instance_dir;                // the instance's state directory on the host
    bool instance_dir_removed = false;       // false: only its records and secrets went
    bool missing = false;                    // nothing of the instance was on the host
    std::optional<Error> error;
};

// Remove the instance from every target host under its lock: containers,
// network, records and secrets; with `volumes` also its data directory, its
// containers' anonymous volumes and its named volumes (volume_candidates: never
// one that is not the instance's). Errors are kept per host. A host with
// nothing of the instance (no record, no container) is left alone and its
// outcome marked `missing`.
std::vector<DestroyOutcome> destroy_all(const Targets& targets, const std::string& instance, bool volumes,
                                        int lock_timeout, events::Reporter& reporter);

}  // namespace calzion::deploy
