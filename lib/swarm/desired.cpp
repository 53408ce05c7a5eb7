#include "swarm/desired.hpp"

#include <algorithm>

#include "swarm/argv.hpp"
#include "swarm/units.hpp"
#include "util/error.hpp"
#include "util/sha256.hpp"
#include "util/shell.hpp"
#include "util/strings.hpp"

namespace calzion::swarm {

namespace {

// The spec hash and revision change with every change of the spec or of the
// revision: on the service only (see desired_spec).
bool service_only_label(const std::string& key) {
    return key == "io.calzion.spec-hash" || key == "io.calzion.revision";
}

void set_labels(ServiceSpec& spec, const render::RenderedService& service, const SpecContext& context) {
    for (const auto& [key, value] : service.labels) {
        spec.labels[key] = value;
        if (!service_only_label(key)) {
            spec.container_labels[key] = value;
        }
    }
    spec.labels["io.calzion.state"] = context.state_dir;
    spec.container_labels["io.calzion.state"] = context.state_dir;
    spec.labels[k_replicas_label] = std::to_string(spec.replicas);
}

void set_mounts(ServiceSpec& spec, const render::RenderedService& service, const SpecContext& context) {
    std::map<std::string, std::string> owned = {{"io.calzion.instance", context.instance},
                                                {"io.calzion.state", context.state_dir}};
    for (const auto& mount : service.mounts) {
        MountSpec out;
        out.target = mount.target;
        out.read_only = mount.read_only;
        if (mount.type == render::MountType::bind) {
            out.type = "bind";
            out.source = mount.source;
        } else {
            out.type = "volume";
            out.source = mount.type == render::MountType::volume
                             ? mount.source
                             : instance_volume(context.instance, service.name, mount.target);
            out.volume_labels = owned;
        }
        spec.mounts.push_back(out);
    }
}

void set_ports(ServiceSpec& spec, const render::RenderedService& service, const std::string& mode) {
    for (const auto& port : service.ports) {
        if (!port.host_ip.empty()) {
            throw Error(ErrorKind::invalid_data,
                        "service " + util::quoted(service.name) + " publishes port " +
                            std::to_string(port.container_port) + " on address " + port.host_ip +
                            ", which a Swarm service cannot: it publishes on every address of a node; "
                            "publish it without the address");
        }
        spec.ports.push_back({port.host_port, port.container_port, port.protocol, mode});
    }
}

void set_secrets(ServiceSpec& spec, const render::RenderedService& service, const SpecContext& context) {
    for (const auto& name : service.secrets) {
        auto found = context.secrets.find(name);
        if (found == context.secrets.end()) {
            throw Error(ErrorKind::operation_failed,
                        "secret " + util::quoted(name) + " of service " + util::quoted(service.name) +
                            " is not in the swarm: deploy the template with the secret set");
        }
        spec.secrets.push_back({found->second, name});
        spec.env[name + "_FILE"] = "/run/secrets/" + name;
    }
}

void set_health(ServiceSpec& spec, const render::RenderedService& service) {
    if (!service.healthcheck) {
        return;
    }
    const tmpl::Healthcheck& check = *service.healthcheck;
    // As for docker run: one command line for the container's shell.
    std::string cmd = check.cmd.size() == 1 ? check.cmd.front() : util::shell_join(check.cmd);
    spec.health.test = {"CMD-SHELL", cmd};
    spec.health.interval = duration_ns(check.interval).value_or(0);
    spec.health.timeout = duration_ns(check.timeout).value_or(0);
    spec.health.start_period = duration_ns(check.start_period).value_or(0);
    spec.health.retries = check.retries.value_or(0);
}

// How long Swarm watches an updated task for a failure: with a health check,
// as long as a healthy task takes to be found unhealthy (interval x retries,
// Docker's defaults 30s and 3), within 5s..60s; without one, the stable time,
// at least Swarm's own 5s.
long long monitor_ns(const ServiceSpec& spec, int stable_seconds) {
    constexpr long long second = 1'000'000'000;
    if (spec.health.test.empty()) {
        return std::max<long long>(5, stable_seconds) * second;
    }
    long long interval = spec.health.interval > 0 ? spec.health.interval : 30 * second;
    long long retries = spec.health.retries > 0 ? spec.health.retries : 3;
    return std::clamp(interval * retries, 5 * second, 60 * second);
}

void set_updates(ServiceSpec& spec, const render::RenderedService& service, int stable_seconds) {
    bool host_port = std::any_of(spec.ports.begin(), spec.ports.end(),
                                 [](const PublishedPort& port) { return port.mode == "host"; });
    bool start_first = service.update == render::UpdateOrder::start_first && !host_port;
    spec.update.order = start_first ? "start-first" : "stop-first";
    spec.update.failure_action = "rollback";
    spec.update.monitor = monitor_ns(spec, stable_seconds);
    spec.rollback = spec.update;
    spec.rollback.failure_action = "pause";
}

void set_restart(ServiceSpec& spec, const std::string& restart) {
    if (restart == "no") {
        spec.restart_condition = "none";
    } else if (util::starts_with(restart, "on-failure")) {
        spec.restart_condition = "on-failure";
        spec.restart_attempts = restart.size() > 11 ? std::stoi(restart.substr(11)) : 0;
    } else {
        spec.restart_condition = "any";  // always, unless-stopped: Swarm has no "unless stopped"
    }
}

}  // namespace

std::string instance_volume(const std::string& instance, const std::string& service, const std::string& target) {
    std::string path;
    for (char c : target) {
        bool keep = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
        path += keep ? c : '.';
    }
    return "czdir_" + instance + "_" + service + path + "." + util::sha256_hex(target).substr(0, 8);
}

ServiceSpec desired_spec(const render::RenderedService& service, const SpecContext& context) {
    if (!service.options.empty()) {
        throw Error(ErrorKind::invalid_data,
                    "service " + util::quoted(service.name) + " has \"options\" (" + util::shell_join(service.options) +
                        "), docker run flags that a Swarm service cannot take; remove them for a swarm instance");
    }
    render::SwarmSpec swarm = service.swarm.value_or(render::SwarmSpec{});
    ServiceSpec spec;
    spec.name = service.container;
    spec.image = service.image;
    spec.replicas = swarm.replicas;
    set_labels(spec, service, context);
    spec.env = service.env;
    set_mounts(spec, service, context);
    std::string publish = swarm.publish_mode.empty() ? (context.ipvs ? "ingress" : "host") : swarm.publish_mode;
    set_ports(spec, service, publish);
    set_secrets(spec, service, context);
    spec.constraints = swarm.constraints;
    spec.entrypoint = service.entrypoint.value_or(std::vector<std::string>{});
    spec.args = service.command.value_or(std::vector<std::string>{});
    set_health(spec, service);
    spec.user = service.user;
    spec.workdir = service.workdir;
    spec.memory = size_bytes(service.memory).value_or(0);
    spec.nano_cpus = nano_cpus(service.cpus).value_or(0);
    set_restart(spec, service.restart);
    set_updates(spec, service, context.stable_seconds);
    spec.endpoint_mode = swarm.endpoint_mode.empty() ? (context.ipvs ? "vip" : "dnsrr") : swarm.endpoint_mode;
    spec.network = context.network;
    spec.aliases = {service.name};
    spec.container_labels[k_task_label] = task_digest(spec);
    return spec;
}

}  // namespace calzion::swarm
