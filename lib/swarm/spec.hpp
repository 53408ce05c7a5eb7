#pragma once

// The parts of a Swarm service that calzion sets, in the form both sides can
// be compared in: what the template wants (swarm::desired_spec) and what the
// manager says a service has (swarm::spec_from_json). Durations are in
// nanoseconds, sizes in bytes and CPUs in billionths, as Swarm keeps them.

#include <map>
#include <string>
#include <vector>

namespace calzion::swarm {

// A published port (docker service create --publish).
struct PublishedPort {
    int published = 0;  // 0: Swarm chooses
    int target = 0;
    std::string protocol = "tcp";
    std::string mode = "ingress";  // "ingress" or "host"

    bool operator==(const PublishedPort&) const = default;
    auto operator<=>(const PublishedPort&) const = default;
};

// A mount (docker service create --mount).
struct MountSpec {
    std::string type;  // "volume" or "bind"
    std::string source;
    std::string target;
    bool read_only = false;
    // Labels the engine gives a volume it creates for a task (volume-label=):
    // only for a create; never read back.
    std::map<std::string, std::string> volume_labels;

    bool same_as(const MountSpec& other) const {
        return type == other.type && source == other.source && target == other.target &&
               read_only == other.read_only;
    }
};

// A Swarm secret given to the tasks as the file /run/secrets/<target>.
struct SecretRef {
    std::string name;    // the Swarm secret's name
    std::string target;  // the file's name

    bool operator==(const SecretRef&) const = default;
};

// The health check; empty `test`: the image's own (Swarm keeps zeros as "unset").
struct Health {
    std::vector<std::string> test;  // ["CMD-SHELL", "command line"]
    long long interval = 0;
    long long timeout = 0;
    long long start_period = 0;
    int retries = 0;

    bool operator==(const Health&) const = default;
};

// How Swarm replaces and rolls back tasks (UpdateConfig, RollbackConfig).
struct UpdatePolicy {
    std::string order = "stop-first";  // or "start-first"
    std::string failure_action = "pause";
    int parallelism = 1;
    long long monitor = 5'000'000'000;

    bool operator==(const UpdatePolicy&) const = default;
};

struct ServiceSpec {
    std::string name;  // <instance>_<service>
    std::string image;
    std::map<std::string, std::string> labels;            // of the service
    std::map<std::string, std::string> container_labels;  // of each task's container
    std::map<std::string, std::string> env;
    std::vector<MountSpec> mounts;
    std::vector<PublishedPort> ports;
    std::vector<SecretRef> secrets;
    std::vector<std::string> constraints;
    int replicas = 1;
    std::vector<std::string> entrypoint;  // empty: the image's
    std::vector<std::string> args;        // empty: the image's command
    Health health;
    std::string user;
    std::string workdir;
    long long memory = 0;     // bytes; 0: no limit
    long long nano_cpus = 0;  // 0: no limit
    std::string restart_condition = "any";  // "any", "on-failure" or "none"
    int restart_attempts = 0;               // 0: no limit
    UpdatePolicy update;
    UpdatePolicy rollback;
    std::string endpoint_mode = "vip";  // or "dnsrr"
    // Set only on a create: Swarm keeps the network by id, and calzion never
    // changes a service's network or aliases.
    std::string network;
    std::vector<std::string> aliases;
};

// The label calzion gives a service with the replicas it wants, which
// `calzion start` scales a stopped (scaled to 0) service back to.
inline constexpr const char* k_replicas_label = "io.calzion.replicas";

// The container label that names a service's task spec (see task_digest): a
// task runs the current spec when its label and ForceUpdate are the service's.
inline constexpr const char* k_task_label = "io.calzion.task";

}  // namespace calzion::swarm
