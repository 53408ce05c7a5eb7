#include "swarm/update.hpp"

#include <algorithm>
#include <set>

#include "swarm/units.hpp"
#include "util/shell.hpp"

namespace calzion::swarm {

namespace {

void add(Argv& argv, const std::string& flag, const std::string& value) { argv.insert(argv.end(), {flag, value}); }

// Keys of `current` that `desired` lacks go with `rm`; what `desired` adds or
// changes with `add` (Swarm applies additions before removals: the two never
// name one key).
void diff_map(Argv& argv, const std::map<std::string, std::string>& current,
              const std::map<std::string, std::string>& desired, const char* add_flag, const char* rm_flag) {
    for (const auto& [key, value] : desired) {
        auto found = current.find(key);
        if (found == current.end() || found->second != value) {
            add(argv, add_flag, key + "=" + value);
        }
    }
    for (const auto& [key, value] : current) {
        if (!desired.count(key)) {
            add(argv, rm_flag, key);
        }
    }
}

// Swarm keys mounts by target: an added mount replaces the one at its target,
// and a removed target goes even if added, so only targets no longer wanted
// are removed.
void diff_mounts(Argv& argv, const std::vector<MountSpec>& current, const std::vector<MountSpec>& desired) {
    for (const auto& mount : desired) {
        bool kept = std::any_of(current.begin(), current.end(), [&](const MountSpec& m) { return m.same_as(mount); });
        if (!kept) {
            add(argv, "--mount-add", mount_argument(mount));
        }
    }
    for (const auto& mount : current) {
        bool wanted = std::any_of(desired.begin(), desired.end(),
                                  [&](const MountSpec& m) { return m.target == mount.target; });
        if (!wanted) {
            add(argv, "--mount-rm", mount.target);
        }
    }
}

void diff_ports(Argv& argv, const std::vector<PublishedPort>& current, const std::vector<PublishedPort>& desired) {
    std::set<PublishedPort> now(current.begin(), current.end());
    std::set<PublishedPort> wanted(desired.begin(), desired.end());
    for (const auto& port : now) {
        if (!wanted.count(port)) {
            add(argv, "--publish-rm", port_argument(port));
        }
    }
    for (const auto& port : wanted) {
        if (!now.count(port)) {
            add(argv, "--publish-add", port_argument(port));
        }
    }
}

// Swarm removes a secret by its name, then adds: rotating one is the old
// name's removal and the new one's addition, at the same target.
void diff_secrets(Argv& argv, const std::vector<SecretRef>& current, const std::vector<SecretRef>& desired) {
    for (const auto& secret : current) {
        if (std::find(desired.begin(), desired.end(), secret) == desired.end()) {
            add(argv, "--secret-rm", secret.name);
        }
    }
    for (const auto& secret : desired) {
        if (std::find(current.begin(), current.end(), secret) == current.end()) {
            add(argv, "--secret-add", secret_argument(secret));
        }
    }
}

void diff_constraints(Argv& argv, const std::vector<std::string>& current, const std::vector<std::string>& desired) {
    for (const auto& constraint : current) {
        if (std::find(desired.begin(), desired.end(), constraint) == desired.end()) {
            add(argv, "--constraint-rm", constraint);
        }
    }
    for (const auto& constraint : desired) {
        if (std::find(current.begin(), current.end(), constraint) == current.end()) {
            add(argv, "--constraint-add", constraint);
        }
    }
}

// The whole check, zeros for what is unset (Swarm reads "" and 0 as unset:
// the image's own check and Docker's defaults).
void diff_health(Argv& argv, const Health& current, const Health& desired) {
    if (current == desired) {
        return;
    }
    add(argv, "--health-cmd", desired.test.size() < 2 ? "" : desired.test[1]);
    add(argv, "--health-interval", duration_text(desired.interval));
    add(argv, "--health-timeout", duration_text(desired.timeout));
    add(argv, "--health-start-period", duration_text(desired.start_period));
    add(argv, "--health-retries", std::to_string(desired.retries));
}

void diff_policy(Argv& argv, const UpdatePolicy& current, const UpdatePolicy& desired, const std::string& prefix) {
    if (current.order != desired.order) {
        add(argv, prefix + "-order", desired.order);
    }
    if (current.failure_action != desired.failure_action) {
        add(argv, prefix + "-failure-action", desired.failure_action);
    }
    if (current.parallelism != desired.parallelism) {
        add(argv, prefix + "-parallelism", std::to_string(desired.parallelism));
    }
    if (current.monitor != desired.monitor) {
        add(argv, prefix + "-monitor", duration_text(desired.monitor));
    }
}

void diff_command(Argv& argv, const ServiceSpec& current, const ServiceSpec& desired) {
    // Both are split into words as a shell would: "" is the image's own.
    if (current.entrypoint != desired.entrypoint) {
        add(argv, "--entrypoint", util::shell_join(desired.entrypoint));
    }
    if (current.args != desired.args) {
        add(argv, "--args", util::shell_join(desired.args));
    }
}

void diff_scalars(Argv& argv, const ServiceSpec& current, const ServiceSpec& desired) {
    if (current.image != desired.image) {
        add(argv, "--image", desired.image);
    }
    if (current.replicas != desired.replicas) {
        add(argv, "--replicas", std::to_string(desired.replicas));
    }
    if (current.user != desired.user) {
        add(argv, "--user", desired.user);
    }
    if (current.workdir != desired.workdir) {
        add(argv, "--workdir", desired.workdir);
    }
    if (current.memory != desired.memory) {
        add(argv, "--limit-memory", size_text(desired.memory));
    }
    if (current.nano_cpus != desired.nano_cpus) {
        add(argv, "--limit-cpu", cpus_text(desired.nano_cpus));
    }
    if (current.restart_condition != desired.restart_condition) {
        add(argv, "--restart-condition", desired.restart_condition);
    }
    if (current.restart_attempts != desired.restart_attempts) {
        add(argv, "--restart-max-attempts", std::to_string(desired.restart_attempts));
    }
    if (current.endpoint_mode != desired.endpoint_mode) {
        add(argv, "--endpoint-mode", desired.endpoint_mode);
    }
}

}  // namespace

Argv update_argv(const ServiceSpec& current, const ServiceSpec& desired) {
    Argv changes;
    diff_scalars(changes, current, desired);
    diff_map(changes, current.labels, desired.labels, "--label-add", "--label-rm");
    diff_map(changes, current.container_labels, desired.container_labels, "--container-label-add",
             "--container-label-rm");
    diff_map(changes, current.env, desired.env, "--env-add", "--env-rm");
    diff_mounts(changes, current.mounts, desired.mounts);
    diff_ports(changes, current.ports, desired.ports);
    diff_secrets(changes, current.secrets, desired.secrets);
    diff_constraints(changes, current.constraints, desired.constraints);
    diff_command(changes, current, desired);
    diff_health(changes, current.health, desired.health);
    diff_policy(changes, current.update, desired.update, "--update");
    diff_policy(changes, current.rollback, desired.rollback, "--rollback");
    if (changes.empty()) {
        return {};
    }
    Argv argv = {"docker", "service", "update", "--detach", "--no-resolve-image"};
    argv.insert(argv.end(), changes.begin(), changes.end());
    argv.push_back(desired.name);
    return argv;
}

Argv force_update_argv(const std::string& name) {
    return {"docker", "service", "update", "--detach", "--force", name};
}

bool needs_forced_restart(const plan::Workload& workload, const ServiceSpec& current, const ServiceSpec& desired) {
    if (workload.status == "stopped" || workload.status == "stopping" || !workload.changed_by_hand.empty()) {
        return false;
    }
    auto label = [](const std::map<std::string, std::string>& labels, const char* key) {
        auto found = labels.find(key);
        return found == labels.end() ? std::string() : found->second;
    };
    return label(current.container_labels, k_task_label) == label(desired.container_labels, k_task_label) &&
           workload.spec_hash == label(desired.labels, "io.calzion.spec-hash");
}

Argv forced(const Argv& update, const std::string& name) {
    if (update.empty()) {
        return force_update_argv(name);
    }
    Argv argv = update;
    argv.insert(argv.begin() + 4, "--force");  // after docker service update --detach
    return argv;
}

Argv scale_argv(const std::string& name, int replicas) {
    return {"docker", "service", "update", "--detach", "--replicas", std::to_string(replicas), name};
}

}  // namespace calzion::swarm
