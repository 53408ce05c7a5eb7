#include "render/resolve.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "render/deployment_json.hpp"
#include "render/names.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace calzion::render {

namespace {

std::vector<std::string> dependencies_of(const tmpl::Service& service) {
    std::vector<std::string> names = service.depends_on;
    for (const auto& expose : service.expose) {
        names.push_back(expose.service);
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    return names;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
    for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
    }
    return text;
}

std::string port_number(const tmpl::Service& target, const std::string& port) {
    for (const auto& [number, name] : target.registered) {
        if (name == port) {
            return std::to_string(number);
        }
    }
    return port;
}

// An instance directory path for a container path: /var/lib/data -> volumes/web/var/lib/data.
std::string instance_volume_path(const std::string& service, const std::string& target) {
    return "volumes/" + service + target;
}

std::vector<Mount> resolve_mounts(const tmpl::Service& service, const std::string& instance) {
    std::vector<Mount> mounts;
    for (const auto& volume : service.volumes) {
        Mount mount;
        mount.target = volume.target;
        mount.read_only = volume.read_only;
        switch (volume.kind) {
        case tmpl::Volume::Kind::instance:
            mount.type = MountType::instance;
            mount.source = instance_volume_path(service.name, volume.target);
            break;
        case tmpl::Volume::Kind::named:
            mount.type = MountType::volume;
            mount.source = volume_name(instance, volume.source);
            break;
        case tmpl::Volume::Kind::bind:
            mount.type = MountType::bind;
            mount.source = volume.source;
            break;
        }
        mounts.push_back(mount);
    }
    return mounts;
}

// The host that runs `service`, when the rendering is placed.
const std::string* host_of(const RenderOptions& options, const std::string& service) {
    if (!options.placement) {
        return nullptr;
    }
    auto found = options.placement->hosts.find(service);
    return found == options.placement->hosts.end() ? nullptr : &found->second;
}

// Why an expose across hosts cannot be resolved: the port is not published.
std::string unpublished_message(const tmpl::Service& consumer, const tmpl::Expose& expose, const std::string& port,
                                const RenderOptions& options) {
    return "service " + util::quoted(consumer.name) + " on " + util::quoted(*host_of(options, consumer.name)) +
           " uses port " + port + " of " + util::quoted(expose.service) + " on " +
           util::quoted(*host_of(options, expose.service)) + ", which publishes no host port for it: add it to the " +
           "\"ports\" of " + util::quoted(expose.service) + " (e.g. \"" + port + ":" + port +
           "\"), or place both on one host";
}

// {host} and {port} of an expose: on one host the service's name (its DNS
// alias on the instance network) and its container port; across hosts the other
// host's address and the host port it publishes for that container port.
std::pair<std::string, std::string> endpoint(const tmpl::Service* target, const tmpl::Expose& expose,
                                             const tmpl::Service& consumer, const RenderOptions& options) {
    std::string port = target ? port_number(*target, expose.port) : expose.port;
    const std::string* provider_host = host_of(options, expose.service);
    const std::string* consumer_host = host_of(options, consumer.name);
    if (target == nullptr || provider_host == nullptr || consumer_host == nullptr || *provider_host == *consumer_host) {
        return {expose.service, port};
    }
    for (const auto& published : target->ports) {
        if (std::to_string(published.container_port) == port && published.host_port != 0) {
            auto address = options.placement->addresses.find(*provider_host);
            std::string host = address == options.placement->addresses.end() ? *provider_host : address->second;
            return {host, std::to_string(published.host_port)};
        }
    }
    throw Error(ErrorKind::invalid_data, expose.where, unpublished_message(consumer, expose, port, options));
}

// The container port a domain of `service` reaches: its port registered as
// "http", else its only registered port, else the first it publishes, else 80.
int http_port_of(const tmpl::Service& service) {
    for (const auto& [port, name] : service.registered) {
        if (name == "http") {
            return port;
        }
    }
    if (service.registered.size() == 1) {
        return service.registered.begin()->first;
    }
    return service.ports.empty() ? 80 : service.ports.front().container_port;
}

std::map<std::string, std::string> resolve_env(const tmpl::Template& spec, const tmpl::Service& service,
                                               const RenderOptions& options) {
    const std::string& instance = options.instance;
    std::map<std::string, std::string> env = {{"CALZION_INSTANCE", instance}, {"CALZION_SERVICE", service.name}};
    for (const auto& [name, value] : spec.env) {
        env[name] = value;
    }
    for (const auto& [name, value] : service.env) {
        env[name] = value;
    }
    for (const auto& expose : service.expose) {
        auto [host, port] = endpoint(spec.find(expose.service), expose, service, options);
        env[expose.env] = replace_all(replace_all(expose.format, "{host}", host), "{port}", port);
    }
    return env;
}

// How Swarm runs `service`: the infrastructure file's scale and place, the
// constraints sorted so that the order they were written in does not count.
SwarmSpec swarm_spec(const SwarmOptions& swarm, const std::string& service) {
    SwarmSpec spec;
    auto replicas = swarm.replicas.find(service);
    spec.replicas = replicas == swarm.replicas.end() ? 1 : replicas->second;
    auto constraints = swarm.constraints.find(service);
    if (constraints != swarm.constraints.end()) {
        spec.constraints = constraints->second;
        std::sort(spec.constraints.begin(), spec.constraints.end());
    }
    spec.endpoint_mode = swarm.endpoint_mode;
    spec.publish_mode = swarm.publish_mode;
    return spec;
}

RenderedService resolve_service(const tmpl::Template& spec, const tmpl::Service& service,
                                const RenderOptions& options) {
    RenderedService out;
    out.name = service.name;
    out.container = container_name(options.instance, service.name);
    out.image = service.image;
    out.git = service.git;
    out.build = service.build;
    if (service.git || service.build) {
        auto commit = options.commits.find(service.name);
        std::string registry = options.swarm ? options.swarm->registry : "";
        out.image = commit == options.commits.end() ? ""
                                                    : built_image(registry, options.instance, service.name, commit->second);
    }
    out.command = service.cmd;
    out.entrypoint = service.entrypoint;
    out.env = resolve_env(spec, service, options);
    out.secrets = service.secrets;
    out.labels = service.labels;
    out.labels["io.calzion.instance"] = options.instance;
    out.labels["io.calzion.service"] = service.name;
    out.mounts = resolve_mounts(service, options.instance);
    out.ports = service.ports;
    // Across hosts there is no start order: only the services on its own host are waited for.
    const std::string* here = host_of(options, service.name);
    for (const auto& dependency : dependencies_of(service)) {
        const std::string* there = host_of(options, dependency);
        if (there == nullptr || here == nullptr || *there == *here) {
            out.after.push_back(dependency);
        }
    }
    out.healthcheck = service.healthcheck;
    out.init = service.init;
    // The template's parser lets only these names through; empty is "not set".
    out.pull = pull_policy_named(service.pull);
    out.restart = service.restart;
    // Two containers cannot publish one host port: those are replaced stop-first.
    out.update = update_order_named(service.update)
                     .value_or(service.ports.empty() ? UpdateOrder::start_first : UpdateOrder::stop_first);
    out.user = service.user;
    out.workdir = service.workdir;
    out.memory = service.memory;
    out.cpus = service.cpus;
    out.options = service.options;
    auto domains = options.domains.find(service.name);
    if (domains != options.domains.end()) {
        for (const auto& domain : domains->second) {
            out.routes.push_back({domain, http_port_of(service)});
        }
    }
    if (options.swarm) {
        out.swarm = swarm_spec(*options.swarm, service.name);
    }
    out.spec_hash = spec_hash(out);
    out.labels["io.calzion.spec-hash"] = out.spec_hash;
    out.labels["io.calzion.revision"] = std::to_string(options.revision);
    return out;
}

}  // namespace

std::vector<const tmpl::Service*> start_order(const tmpl::Template& spec) {
    // Kahn's algorithm; among the services whose dependencies are all started, the
    // one that comes first in the template goes next, so the order is stable.
    std::map<std::string, size_t> index;
    for (size_t i = 0; i < spec.services.size(); ++i) {
        index.emplace(spec.services[i].name, i);
    }
    std::vector<size_t> waiting_on(spec.services.size(), 0);
    std::vector<std::vector<size_t>> dependents(spec.services.size());
    for (size_t i = 0; i < spec.services.size(); ++i) {
        for (const auto& dependency : dependencies_of(spec.services[i])) {
            auto found = index.find(dependency);
            if (found != index.end() && found->second != i) {
                dependents[found->second].push_back(i);
                ++waiting_on[i];
            }
        }
    }
    std::set<size_t> ready;
    for (size_t i = 0; i < spec.services.size(); ++i) {
        if (waiting_on[i] == 0) {
            ready.insert(i);
        }
    }
    std::vector<const tmpl::Service*> order;
    std::vector<bool> placed(spec.services.size(), false);
    while (order.size() < spec.services.size()) {
        if (ready.empty()) {
            // A cycle (validation reports it): break it at the first unplaced service.
            ready.insert(static_cast<size_t>(std::find(placed.begin(), placed.end(), false) - placed.begin()));
        }
        size_t next = *ready.begin();
        ready.erase(ready.begin());
        if (placed[next]) {
            continue;
        }
        placed[next] = true;
        order.push_back(&spec.services[next]);
        for (size_t dependent : dependents[next]) {
            if (--waiting_on[dependent] == 0 && !placed[dependent]) {
                ready.insert(dependent);
            }
        }
    }
    return order;
}

void check_placement(const tmpl::Template& spec, const RenderOptions& options, Diagnostics& diagnostics) {
    for (const auto& consumer : spec.services) {
        for (const auto& expose : consumer.expose) {
            const tmpl::Service* target = spec.find(expose.service);
            if (target == nullptr) {
                continue;
            }
            try {
                endpoint(target, expose, consumer, options);
            } catch (const Error& error) {
                diagnostics.add(expose.where, error.message());
            }
        }
    }
}

Deployment resolve(const tmpl::Template& spec, const RenderOptions& options) {
    Deployment deployment;
    deployment.instance = options.instance;
    deployment.network = network_name(options.instance);
    deployment.revision = options.revision;
    for (const tmpl::Service* service : start_order(spec)) {
        const std::string* host = host_of(options, service->name);
        if (options.placement && !options.placement->host.empty() && (host == nullptr || *host != options.placement->host)) {
            continue;
        }
        deployment.services.push_back(resolve_service(spec, *service, options));
    }
    return deployment;
}

const RenderedService* Deployment::find(const std::string& name) const {
    auto it = std::find_if(services.begin(), services.end(), [&](const RenderedService& s) { return s.name == name; });
    return it == services.end() ? nullptr : &*it;
}

}  // namespace calzion::render
