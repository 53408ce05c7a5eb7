#pragma once

#include <map>
#include <string>

#include "render/deployment.hpp"
#include "swarm/spec.hpp"

namespace calzion::swarm {

// What desired_spec needs to know besides the service.
struct SpecContext {
    std::string instance;
    std::string network;    // the instance's overlay network, cz-<instance>
    std::string state_dir;  // the state directory that owns the instance, labelled on what calzion creates
    bool ipvs = false;      // whether the manager's kernel has IPVS: decides the "auto" modes
    // The Swarm secret that each of the service's secrets is: NAME -> its name.
    std::map<std::string, std::string> secrets;
    int stable_seconds = 2;  // without a health check: how long a task must run to count as started
};

// The Swarm service that runs `service`, as calzion creates it:
//   - labels: the template's and calzion's (instance, service, spec hash,
//     revision), the owning state directory and the replicas wanted; its
//     tasks' containers get the same but the spec hash and revision, which
//     would restart every task for a change that only scales the service, and
//     the digest of the task spec (k_task_label) instead;
//   - replicas, constraints and modes from service.swarm (unset: 1 replica,
//     auto modes): endpoint mode vip and ingress publishing where the manager
//     has IPVS, else dnsrr and host publishing;
//   - env, and for each secret NAME the Swarm secret mounted at
//     /run/secrets/NAME with NAME_FILE pointing there (secrets never enter
//     the environment);
//   - mounts: a named volume stays one; a bind mount stays one, so its path
//     must exist on every node that may run a task; an `instance` mount (a
//     directory in the state directory, which exists only on the manager)
//     becomes a named volume (instance_volume) kept on each node a task runs on;
//     volumes the engine creates are labelled with the instance and owner;
//   - updates one task at a time, start-first when the template says so and no
//     port is published in host mode (two tasks on one node cannot share a
//     host port), rolled back on failure, monitored long enough to see a
//     health check fail; rollbacks in the same order;
//   - restart policy, user, workdir, limits, entrypoint and command.
// Throws Error(invalid_data) naming the service for what a Swarm service
// cannot do (docker run `options`, a port published on one address), and
// Error(operation_failed) for a secret that has no Swarm secret in `context`.
ServiceSpec desired_spec(const render::RenderedService& service, const SpecContext& context);

// The named volume that an `instance` mount at `target` of `service` becomes
// on a swarm: czdir_<instance>_<service>.<target, with "/" as ".">.<8 hex>
// (the hash tells apart targets that read alike); no named volume of the
// template (cz_...) can have that name.
std::string instance_volume(const std::string& instance, const std::string& service, const std::string& target);

}  // namespace calzion::swarm
