#include "render/deployment_json.hpp"

#include <nlohmann/json.hpp>

#include "util/error.hpp"
#include "util/sha256.hpp"
#include "tmpl/yaml_emit.hpp"

namespace calzion::render {

using nlohmann::json;

namespace {

template <typename T>
json optional_to_json(const std::optional<T>& value) {
    return value ? json(*value) : json(nullptr);
}

json healthcheck_to_json(const std::optional<tmpl::Healthcheck>& check) {
    if (!check) {
        return nullptr;
    }
    return json{{"cmd", check->cmd},
                {"interval", check->interval},
                {"timeout", check->timeout},
                {"start_period", check->start_period},
                {"retries", optional_to_json(check->retries)}};
}

json build_to_json(const RenderedService& service) {
    if (!service.git && !service.build) {
        return nullptr;
    }
    tmpl::Build build = service.build.value_or(tmpl::Build{});
    return json{{"git", optional_to_json(service.git)},
                {"context", build.context},
                {"dockerfile", build.dockerfile},
                {"args", build.args},
                {"target", build.target}};
}

json mounts_to_json(const std::vector<Mount>& mounts) {
    json out = json::array();
    for (const auto& mount : mounts) {
        out.push_back({{"type", to_string(mount.type)}, {"source", mount.source}, {"target", mount.target},
                       {"read_only", mount.read_only}});
    }
    return out;
}

json ports_to_json(const std::vector<tmpl::Port>& ports) {
    json out = json::array();
    for (const auto& port : ports) {
        out.push_back({{"host_ip", port.host_ip}, {"host_port", port.host_port},
                       {"container_port", port.container_port}, {"protocol", port.protocol}});
    }
    return out;
}

json routes_to_json(const std::vector<Route>& routes) {
    json out = json::array();
    for (const auto& route : routes) {
        out.push_back({{"domain", route.domain}, {"port", route.port}});
    }
    return out;
}

json swarm_to_json(const SwarmSpec& swarm) {
    return json{{"replicas", swarm.replicas},
                {"constraints", swarm.constraints},
                {"endpoint_mode", swarm.endpoint_mode},
                {"publish_mode", swarm.publish_mode}};
}

json service_body(const RenderedService& service) {
    json body{{"container", service.container},
                {"image", service.image},
                {"build", build_to_json(service)},
                {"command", optional_to_json(service.command)},
                {"entrypoint", optional_to_json(service.entrypoint)},
                {"env", service.env},
                {"secrets", service.secrets},
                {"labels", service.labels},
                {"mounts", mounts_to_json(service.mounts)},
                {"ports", ports_to_json(service.ports)},
                {"after", service.after},
                {"healthcheck", healthcheck_to_json(service.healthcheck)},
                {"init", service.init},
                {"restart", service.restart},
                {"update", to_string(service.update)},
                {"user", service.user},
                {"workdir", service.workdir},
                {"memory", service.memory},
                {"cpus", service.cpus},
                {"options", service.options},
                {"routes", routes_to_json(service.routes)},
                {"pull", service.pull ? to_string(*service.pull) : ""}};
    // Only for a swarm instance: a plain docker service's JSON, and so its
    // spec hash, stay as they were before Swarm.
    if (service.swarm) {
        body["swarm"] = swarm_to_json(*service.swarm);
    }
    return body;
}

}  // namespace

nlohmann::ordered_json service_to_json(const RenderedService& service) {
    // What a reader looks for first comes first; the rest in canonical order.
    nlohmann::ordered_json out = {{"name", service.name},
                                  {"container", service.container},
                                  {"image", service.image},
                                  {"spec_hash", service.spec_hash}};
    const json body = service_body(service);
    for (const auto& [key, value] : body.items()) {
        if (!out.contains(key)) {
            out[key] = value;
        }
    }
    for (const auto& key : service.absent) {
        out.erase(key);
    }
    return out;
}

std::string spec_hash(const RenderedService& service) {
    json body = service_body(service);
    body["name"] = service.name;
    body["labels"].erase("io.calzion.spec-hash");
    body["labels"].erase("io.calzion.revision");
    // Neither is what the container runs: init runs once per instance (its marker
    // on the host says whether), and the pull policy only says where the image
    // comes from. "init" stays, always empty, so that hashes made before it was
    // left out are still the same.
    body.erase("pull");
    // The router serves the domains: changing one must not replace the container.
    body.erase("routes");
    body["init"] = json::array();
    return util::sha256_hex(body.dump());
}

nlohmann::ordered_json deployment_to_json(const Deployment& deployment) {
    nlohmann::ordered_json services = nlohmann::ordered_json::array();
    for (const auto& service : deployment.services) {
        services.push_back(service_to_json(service));
    }
    return nlohmann::ordered_json{{"format", k_deployment_format},
                                  {"instance", deployment.instance},
                                  {"network", deployment.network},
                                  {"revision", deployment.revision ? nlohmann::ordered_json(*deployment.revision)
                                                                   : nlohmann::ordered_json(nullptr)},
                                  {"services", services}};
}

std::string deployment_to_yaml(const Deployment& deployment) {
    return tmpl::to_yaml(deployment_to_json(deployment));
}

}  // namespace calzion::render
