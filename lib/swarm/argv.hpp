#pragma once

#include <string>
#include <vector>

#include "swarm/spec.hpp"

namespace calzion::swarm {

using Argv = std::vector<std::string>;

// A field of a comma-separated option value (--mount, --publish, --secret,
// --network), quoted as docker's CSV reader wants it when it holds a comma,
// a quote or a line break.
std::string csv_field(const std::string& field);

// The values of --mount, --publish and --secret for one item.
std::string mount_argument(const MountSpec& mount);
std::string port_argument(const PublishedPort& port);
std::string secret_argument(const SecretRef& secret);

// The flags that make a service's task spec (its containers and how they are
// reached): container labels, network, endpoint mode and ports, env, mounts,
// secrets, constraints, health check, restart policy, user, workdir, limits
// and entrypoint. Not the replicas, the service's labels nor how updates go.
Argv task_flags(const ServiceSpec& spec);

// The first 12 hex digits of the SHA-256 of the task spec (task_flags without
// k_task_label, the image and the command): it changes exactly when the tasks
// must be replaced.
std::string task_digest(const ServiceSpec& spec);

// The flags of update and rollback policy (--update-*, --rollback-*).
Argv policy_flags(const ServiceSpec& spec);

// `docker service create --detach --no-resolve-image --name NAME ...` for
// `spec`, the command as words after the image. --no-resolve-image: the nodes
// use the image the tag names (each pulls it if it can, else uses its own),
// and no registry is asked at create time.
Argv create_argv(const ServiceSpec& spec);

// `docker service rm NAME...`.
Argv remove_argv(const std::vector<std::string>& names);

}  // namespace calzion::swarm
