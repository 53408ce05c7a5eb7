#include "docker/argv.hpp"

#include "tmpl/mounts.hpp"
#include "util/shell.hpp"

namespace calzion::docker {

namespace {

std::string pull_flag(PullPolicy pull) { return "--pull=" + std::string(render::to_string(pull)); }

void add_mounts(Argv& argv, const render::RenderedService& service, const ServicePaths& paths) {
    for (const auto& mount : service.mounts) {
        bool instance = mount.type == render::MountType::instance;
        std::string source = instance ? paths.instance_dir + "/" + mount.source : mount.source;
        std::string spec = std::string(mount.type == render::MountType::volume ? "type=volume" : "type=bind") +
                           ",source=" + source + ",target=" + mount.target;
        if (mount.read_only) {
            spec += ",readonly";
        }
        argv.insert(argv.end(), {"--mount", spec});
    }
}

void add_healthcheck(Argv& argv, const tmpl::Healthcheck& check) {
    // docker run takes the check as one command line for the container's shell.
    std::string cmd = check.cmd.size() == 1 ? check.cmd.front() : util::shell_join(check.cmd);
    argv.insert(argv.end(), {"--health-cmd", cmd});
    if (!check.interval.empty()) {
        argv.insert(argv.end(), {"--health-interval", check.interval});
    }
    if (!check.timeout.empty()) {
        argv.insert(argv.end(), {"--health-timeout", check.timeout});
    }
    if (!check.start_period.empty()) {
        argv.insert(argv.end(), {"--health-start-period", check.start_period});
    }
    if (check.retries) {
        argv.insert(argv.end(), {"--health-retries", std::to_string(*check.retries)});
    }
}

void add_optional(Argv& argv, const char* flag, const std::string& value) {
    if (!value.empty()) {
        argv.insert(argv.end(), {flag, value});
    }
}

void add_command(Argv& argv, const render::RenderedService& service) {
    // --entrypoint takes one word; the rest of the entrypoint goes before the command.
    if (service.entrypoint) {
        argv.insert(argv.end(), service.entrypoint->begin() + 1, service.entrypoint->end());
    }
    if (service.command) {
        argv.insert(argv.end(), service.command->begin(), service.command->end());
    }
}

}  // namespace

PullPolicy pull_policy_for(const render::RenderedService& service, std::optional<PullPolicy> chosen) {
    // An image built from source exists only on the hosts: no registry has it.
    if (service.git || service.build) {
        return PullPolicy::never;
    }
    return chosen.value_or(service.pull.value_or(PullPolicy::missing));
}

std::string secrets_file(const std::string& instance_dir, const std::string& service) {
    return instance_dir + "/secrets/" + service + ".env";
}

Argv run(const render::RenderedService& service, const std::string& network, const ServicePaths& paths,
         PullPolicy pull, Alias alias) {
    // No --hostname: Docker's DNS answers a container's hostname on its
    // networks, so a hostname equal to the service name would reach a new
    // container before it is ready (Docker's default is the short id).
    Argv argv = {"docker", "run", "--detach", pull_flag(pull), "--name", service.container, "--network", network};
    if (alias == Alias::now) {
        argv.insert(argv.end(), {"--network-alias", service.name});
    }
    argv.insert(argv.end(), {"--restart", service.restart});
    for (const auto& [key, value] : service.labels) {
        argv.insert(argv.end(), {"--label", key + "=" + value});
    }
    if (!paths.state_dir.empty()) {
        argv.insert(argv.end(), {"--label", "io.calzion.state=" + paths.state_dir});
    }
    for (const auto& [name, value] : service.env) {
        argv.insert(argv.end(), {"--env", name + "=" + value});
    }
    if (paths.secrets_file) {
        argv.insert(argv.end(), {"--env-file", secrets_file(paths.instance_dir, service.name)});
    }
    add_mounts(argv, service, paths);
    for (const auto& port : service.ports) {
        argv.insert(argv.end(), {"--publish", tmpl::to_publish_argument(port)});
    }
    if (service.healthcheck) {
        add_healthcheck(argv, *service.healthcheck);
    }
    if (service.entrypoint) {
        argv.insert(argv.end(), {"--entrypoint", service.entrypoint->front()});
    }
    add_optional(argv, "--user", service.user);
    add_optional(argv, "--workdir", service.workdir);
    add_optional(argv, "--memory", service.memory);
    add_optional(argv, "--cpus", service.cpus);
    argv.insert(argv.end(), service.options.begin(), service.options.end());
    argv.push_back(service.image);
    add_command(argv, service);
    return argv;
}

Argv network_create(const std::string& network, const std::string& instance) {
    return {"docker", "network", "create", "--label", "io.calzion.instance=" + instance, network};
}

Argv remove_container(const std::string& container) { return {"docker", "rm", "--force", container}; }
Argv remove_own_container(const std::string& container, const std::string& instance) {
    static const char* const script =
        "ids=$(docker ps -aq --filter \"name=^/$1\\$\" --filter \"label=io.calzion.instance=$2\") || exit 1\n"
        "[ -z \"$ids\" ] || docker rm --force $ids >/dev/null\n";
    return {"sh", "-c", script, "calzion", container, instance};
}

Argv stop_container(const std::string& container) { return {"docker", "stop", container}; }
Argv start_container(const std::string& container) { return {"docker", "start", container}; }
Argv rename_container(const std::string& from, const std::string& to) { return {"docker", "rename", from, to}; }
Argv remove_network(const std::string& network) { return {"docker", "network", "rm", network}; }
Argv remove_volume(const std::string& volume) { return {"docker", "volume", "rm", "--force", volume}; }
Argv inspect_image(const std::string& image) { return {"docker", "image", "inspect", "--format", "{{.Id}}", image}; }

}  // namespace calzion::docker
