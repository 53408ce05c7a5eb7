#include "swarm/argv.hpp"

#include "swarm/units.hpp"
#include "util/sha256.hpp"
#include "util/shell.hpp"

namespace calzion::swarm {

namespace {

void add(Argv& argv, const std::string& flag, const std::string& value) { argv.insert(argv.end(), {flag, value}); }

void add_labels(Argv& argv, const char* flag, const std::map<std::string, std::string>& labels) {
    for (const auto& [key, value] : labels) {
        add(argv, flag, key + "=" + value);
    }
}

void add_health(Argv& argv, const Health& health) {
    if (health.test.size() < 2) {
        return;  // the image's own check
    }
    add(argv, "--health-cmd", health.test[1]);
    if (health.interval) {
        add(argv, "--health-interval", duration_text(health.interval));
    }
    if (health.timeout) {
        add(argv, "--health-timeout", duration_text(health.timeout));
    }
    if (health.start_period) {
        add(argv, "--health-start-period", duration_text(health.start_period));
    }
    if (health.retries) {
        add(argv, "--health-retries", std::to_string(health.retries));
    }
}

void add_limits(Argv& argv, const ServiceSpec& spec) {
    if (!spec.user.empty()) {
        add(argv, "--user", spec.user);
    }
    if (!spec.workdir.empty()) {
        add(argv, "--workdir", spec.workdir);
    }
    if (spec.memory) {
        add(argv, "--limit-memory", size_text(spec.memory));
    }
    if (spec.nano_cpus) {
        add(argv, "--limit-cpu", cpus_text(spec.nano_cpus));
    }
}

std::string network_argument(const ServiceSpec& spec) {
    std::string value = "name=" + csv_field(spec.network);
    for (const auto& alias : spec.aliases) {
        value += ",alias=" + csv_field(alias);
    }
    return value;
}

}  // namespace

std::string csv_field(const std::string& field) {
    if (field.find_first_of(",\"\r\n") == std::string::npos) {
        return field;
    }
    std::string quoted = "\"";
    for (char c : field) {
        quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    }
    return quoted + "\"";
}

std::string mount_argument(const MountSpec& mount) {
    std::string value = "type=" + mount.type + "," + csv_field("source=" + mount.source) + "," +
                        csv_field("target=" + mount.target);
    if (mount.read_only) {
        value += ",readonly";
    }
    for (const auto& [key, label] : mount.volume_labels) {
        value += "," + csv_field("volume-label=" + key + "=" + label);
    }
    return value;
}

std::string port_argument(const PublishedPort& port) {
    std::string value = port.published ? "published=" + std::to_string(port.published) + "," : "";
    return value + "target=" + std::to_string(port.target) + ",protocol=" + port.protocol + ",mode=" + port.mode;
}

std::string secret_argument(const SecretRef& secret) {
    return "source=" + csv_field(secret.name) + "," + csv_field("target=" + secret.target) + ",mode=0400";
}

Argv task_flags(const ServiceSpec& spec) {
    Argv argv;
    add_labels(argv, "--container-label", spec.container_labels);
    if (!spec.network.empty()) {
        add(argv, "--network", network_argument(spec));
    }
    add(argv, "--endpoint-mode", spec.endpoint_mode);
    for (const auto& port : spec.ports) {
        add(argv, "--publish", port_argument(port));
    }
    for (const auto& [name, value] : spec.env) {
        add(argv, "--env", name + "=" + value);
    }
    for (const auto& mount : spec.mounts) {
        add(argv, "--mount", mount_argument(mount));
    }
    for (const auto& secret : spec.secrets) {
        add(argv, "--secret", secret_argument(secret));
    }
    for (const auto& constraint : spec.constraints) {
        add(argv, "--constraint", constraint);
    }
    add_health(argv, spec.health);
    add(argv, "--restart-condition", spec.restart_condition);
    if (spec.restart_attempts) {
        add(argv, "--restart-max-attempts", std::to_string(spec.restart_attempts));
    }
    add_limits(argv, spec);
    if (!spec.entrypoint.empty()) {
        // Docker splits --entrypoint into words as a shell would: quoted, it
        // comes back as these words.
        add(argv, "--entrypoint", util::shell_join(spec.entrypoint));
    }
    return argv;
}

std::string task_digest(const ServiceSpec& spec) {
    ServiceSpec without = spec;
    without.container_labels.erase(k_task_label);
    Argv words = task_flags(without);
    words.push_back(spec.image);
    words.insert(words.end(), spec.args.begin(), spec.args.end());
    return util::sha256_hex(util::shell_join(words)).substr(0, 12);
}

Argv policy_flags(const ServiceSpec& spec) {
    return {"--update-order",           spec.update.order,
            "--update-failure-action",  spec.update.failure_action,
            "--update-parallelism",     std::to_string(spec.update.parallelism),
            "--update-monitor",         duration_text(spec.update.monitor),
            "--rollback-order",         spec.rollback.order,
            "--rollback-failure-action", spec.rollback.failure_action,
            "--rollback-parallelism",   std::to_string(spec.rollback.parallelism),
            "--rollback-monitor",       duration_text(spec.rollback.monitor)};
}

Argv create_argv(const ServiceSpec& spec) {
    Argv argv = {"docker", "service", "create", "--detach", "--no-resolve-image", "--name", spec.name};
    add_labels(argv, "--label", spec.labels);
    add(argv, "--replicas", std::to_string(spec.replicas));
    Argv policy = policy_flags(spec);
    argv.insert(argv.end(), policy.begin(), policy.end());
    Argv task = task_flags(spec);
    argv.insert(argv.end(), task.begin(), task.end());
    argv.push_back(spec.image);
    argv.insert(argv.end(), spec.args.begin(), spec.args.end());
    return argv;
}

Argv remove_argv(const std::vector<std::string>& names) {
    Argv argv = {"docker", "service", "rm"};
    argv.insert(argv.end(), names.begin(), names.end());
    return argv;
}

}  // namespace calzion::swarm
