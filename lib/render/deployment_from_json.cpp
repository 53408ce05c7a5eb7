// Reading a deployment back from the JSON that deployment_to_json wrote, as a
// host recorded it with a revision. The reader is strict: every field the writer
// writes must be there with its type, and nothing else may be, because a
// rollback must run exactly what the revision ran or nothing at all. A record
// lacking fields (written by hand) can still be compared with and routed to: its
// services list what they lack, and only running it again is refused.

#include "render/deployment_json.hpp"

#include <nlohmann/json.hpp>
#include <set>

#include "util/error.hpp"
#include "util/strings.hpp"

namespace calzion::render {

using nlohmann::json;

namespace {

[[noreturn]] void invalid(const std::string& path, const std::string& problem) {
    throw Error(ErrorKind::invalid_data,
                "invalid deployment document: " + (path.empty() ? "the document" : util::quoted(path)) + " " + problem);
}

std::string key_path(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
}

std::string index_path(const std::string& path, size_t index) { return path + "[" + std::to_string(index) + "]"; }

void expect_object(const json& value, const std::string& path) {
    if (!value.is_object()) {
        invalid(path, "must be an object");
    }
}

// Every key of `object` must be one of `keys`, and each of `keys` must be there.
void expect_keys(const json& object, const std::string& path, const std::set<std::string>& keys) {
    expect_object(object, path);
    for (const auto& [key, value] : object.items()) {
        if (!keys.count(key)) {
            invalid(key_path(path, key), "is not a field this calzion knows");
        }
    }
    for (const auto& key : keys) {
        if (!object.contains(key)) {
            invalid(key_path(path, key), "is missing");
        }
    }
}

std::string string_of(const json& value, const std::string& path) {
    if (!value.is_string()) {
        invalid(path, "must be a string");
    }
    return value.get<std::string>();
}

int int_of(const json& value, const std::string& path) {
    if (!value.is_number_integer() || value.get<long long>() < 0 || value.get<long long>() > 1'000'000'000) {
        invalid(path, "must be a whole number from 0 to 1000000000");
    }
    return value.get<int>();
}

std::vector<std::string> strings_of(const json& value, const std::string& path) {
    if (!value.is_array()) {
        invalid(path, "must be a list of strings");
    }
    std::vector<std::string> out;
    for (size_t i = 0; i < value.size(); ++i) {
        out.push_back(string_of(value[i], index_path(path, i)));
    }
    return out;
}

std::map<std::string, std::string> string_map_of(const json& value, const std::string& path) {
    expect_object(value, path);
    std::map<std::string, std::string> out;
    for (const auto& [key, item] : value.items()) {
        out[key] = string_of(item, key_path(path, key));
    }
    return out;
}

template <typename T, typename Read>
std::optional<T> nullable(const json& value, const std::string& path, Read read) {
    return value.is_null() ? std::nullopt : std::optional<T>(read(value, path));
}

// The writer folds `git` and `build` into one "build" object.
void read_build(RenderedService& service, const json& value, const std::string& path) {
    if (value.is_null()) {
        return;
    }
    expect_keys(value, path, {"git", "context", "dockerfile", "args", "target"});
    service.git = nullable<std::string>(value["git"], key_path(path, "git"), string_of);
    tmpl::Build build;
    build.context = string_of(value["context"], key_path(path, "context"));
    build.dockerfile = string_of(value["dockerfile"], key_path(path, "dockerfile"));
    build.args = string_map_of(value["args"], key_path(path, "args"));
    build.target = string_of(value["target"], key_path(path, "target"));
    bool only_git = service.git && build.context == tmpl::Build{}.context && build.dockerfile.empty() &&
                    build.args.empty() && build.target.empty();
    if (!only_git) {
        service.build = build;
    }
}

std::vector<Mount> mounts_of(const json& value, const std::string& path) {
    if (!value.is_array()) {
        invalid(path, "must be a list");
    }
    std::vector<Mount> mounts;
    for (size_t i = 0; i < value.size(); ++i) {
        std::string at = index_path(path, i);
        const json& item = value[i];
        expect_keys(item, at, {"type", "source", "target", "read_only"});
        auto type = mount_type_named(string_of(item["type"], at + ".type"));
        if (!type) {
            invalid(at + ".type", "must be \"instance\", \"volume\" or \"bind\"");
        }
        Mount mount{*type, string_of(item["source"], at + ".source"), string_of(item["target"], at + ".target"), false};
        if (!item["read_only"].is_boolean()) {
            invalid(at + ".read_only", "must be true or false");
        }
        mount.read_only = item["read_only"].get<bool>();
        mounts.push_back(mount);
    }
    return mounts;
}

std::vector<tmpl::Port> ports_of(const json& value, const std::string& path) {
    if (!value.is_array()) {
        invalid(path, "must be a list");
    }
    std::vector<tmpl::Port> ports;
    for (size_t i = 0; i < value.size(); ++i) {
        std::string at = index_path(path, i);
        const json& item = value[i];
        expect_keys(item, at, {"host_ip", "host_port", "container_port", "protocol"});
        ports.push_back({string_of(item["host_ip"], at + ".host_ip"), int_of(item["host_port"], at + ".host_port"),
                         int_of(item["container_port"], at + ".container_port"),
                         string_of(item["protocol"], at + ".protocol")});
    }
    return ports;
}

tmpl::Healthcheck healthcheck_of(const json& value, const std::string& path) {
    expect_keys(value, path, {"cmd", "interval", "timeout", "start_period", "retries"});
    tmpl::Healthcheck check;
    check.cmd = strings_of(value["cmd"], path + ".cmd");
    check.interval = string_of(value["interval"], path + ".interval");
    check.timeout = string_of(value["timeout"], path + ".timeout");
    check.start_period = string_of(value["start_period"], path + ".start_period");
    check.retries = nullable<int>(value["retries"], path + ".retries", int_of);
    return check;
}

std::vector<Route> routes_of(const json& value, const std::string& path) {
    if (!value.is_array()) {
        invalid(path, "must be a list");
    }
    std::vector<Route> routes;
    for (size_t i = 0; i < value.size(); ++i) {
        std::string at = index_path(path, i);
        const json& item = value[i];
        expect_keys(item, at, {"domain", "port"});
        routes.push_back({string_of(item["domain"], at + ".domain"), int_of(item["port"], at + ".port")});
    }
    return routes;
}

std::vector<std::vector<std::string>> init_of(const json& value, const std::string& path) {
    if (!value.is_array()) {
        invalid(path, "must be a list of commands");
    }
    std::vector<std::vector<std::string>> commands;
    for (size_t i = 0; i < value.size(); ++i) {
        commands.push_back(strings_of(value[i], index_path(path, i)));
    }
    return commands;
}

// "swarm": how Swarm runs the service, written only for a swarm instance.
SwarmSpec swarm_of(const json& value, const std::string& path) {
    expect_keys(value, path, {"replicas", "constraints", "endpoint_mode", "publish_mode"});
    SwarmSpec swarm;
    swarm.replicas = int_of(value["replicas"], path + ".replicas");
    swarm.constraints = strings_of(value["constraints"], path + ".constraints");
    swarm.endpoint_mode = string_of(value["endpoint_mode"], path + ".endpoint_mode");
    if (swarm.endpoint_mode != "" && swarm.endpoint_mode != "vip" && swarm.endpoint_mode != "dnsrr") {
        invalid(path + ".endpoint_mode", "must be \"vip\", \"dnsrr\" or \"\"");
    }
    swarm.publish_mode = string_of(value["publish_mode"], path + ".publish_mode");
    if (swarm.publish_mode != "" && swarm.publish_mode != "ingress" && swarm.publish_mode != "host") {
        invalid(path + ".publish_mode", "must be \"ingress\", \"host\" or \"\"");
    }
    return swarm;
}

// The fields of a service as the writer writes them, each with its default value.
const json& service_defaults() {
    static const json defaults = json::parse(service_to_json(RenderedService{}).dump());
    return defaults;
}

// A service's fields, those it lacks filled in with their defaults and listed
// in `absent`. It must have a name and a container: without them it is no
// service at all. "swarm" is no default field: only a swarm instance's
// services have it.
json filled_in(const json& given, const std::string& at, std::set<std::string>& absent) {
    expect_object(given, at);
    json item = service_defaults();
    for (const auto& [key, value] : given.items()) {
        if (!item.contains(key) && key != "swarm") {
            invalid(key_path(at, key), "is not a field this calzion knows");
        }
        item[key] = value;
    }
    for (const auto& [key, value] : service_defaults().items()) {
        if (!given.contains(key)) {
            if (key == "name" || key == "container") {
                invalid(key_path(at, key), "is missing");
            }
            absent.insert(key);
        }
    }
    return item;
}

RenderedService service_of(const json& given, const std::string& at) {
    std::set<std::string> absent;
    const json item = filled_in(given, at, absent);
    auto text = [&](const char* key) { return string_of(item[key], at + "." + key); };
    RenderedService service;
    service.absent = std::move(absent);
    service.name = text("name");
    service.container = text("container");
    service.image = text("image");
    service.spec_hash = text("spec_hash");
    read_build(service, item["build"], at + ".build");
    service.command = nullable<std::vector<std::string>>(item["command"], at + ".command", strings_of);
    service.entrypoint = nullable<std::vector<std::string>>(item["entrypoint"], at + ".entrypoint", strings_of);
    if (service.entrypoint && service.entrypoint->empty()) {
        invalid(at + ".entrypoint", "must not be empty");
    }
    service.env = string_map_of(item["env"], at + ".env");
    service.secrets = strings_of(item["secrets"], at + ".secrets");
    service.labels = string_map_of(item["labels"], at + ".labels");
    service.mounts = mounts_of(item["mounts"], at + ".mounts");
    service.ports = ports_of(item["ports"], at + ".ports");
    service.after = strings_of(item["after"], at + ".after");
    service.healthcheck = nullable<tmpl::Healthcheck>(item["healthcheck"], at + ".healthcheck", healthcheck_of);
    service.init = init_of(item["init"], at + ".init");
    service.restart = text("restart");
    auto update = update_order_named(text("update"));
    if (!update) {
        invalid(at + ".update", "must be \"start-first\" or \"stop-first\"");
    }
    service.update = *update;
    service.user = text("user");
    service.workdir = text("workdir");
    service.memory = text("memory");
    service.cpus = text("cpus");
    service.options = strings_of(item["options"], at + ".options");
    service.routes = routes_of(item["routes"], at + ".routes");
    if (item.contains("swarm")) {
        service.swarm = swarm_of(item["swarm"], at + ".swarm");
    }
    std::string pull = string_of(item["pull"], at + ".pull");
    service.pull = pull_policy_named(pull);
    if (!pull.empty() && !service.pull) {
        invalid(at + ".pull", "must be \"always\", \"missing\", \"never\" or \"\"");
    }
    return service;
}

}  // namespace

Deployment recorded_deployment_from_json(const nlohmann::json& document) {
    expect_keys(document, "", {"format", "instance", "network", "revision", "services"});
    if (int format = int_of(document["format"], "format"); format != k_deployment_format) {
        invalid("format", "is " + std::to_string(format) + ", this calzion reads " +
                              std::to_string(k_deployment_format));
    }
    Deployment deployment;
    deployment.instance = string_of(document["instance"], "instance");
    deployment.network = string_of(document["network"], "network");
    deployment.revision = nullable<int>(document["revision"], "revision", int_of);
    const json& services = document["services"];
    if (!services.is_array()) {
        invalid("services", "must be a list");
    }
    for (size_t i = 0; i < services.size(); ++i) {
        deployment.services.push_back(service_of(services[i], index_path("services", i)));
        for (size_t j = 0; j < i; ++j) {
            if (deployment.services[j].name == deployment.services[i].name) {
                invalid(index_path("services", i) + ".name", "repeats " + util::quoted(deployment.services[i].name));
            }
        }
    }
    return deployment;
}

void check_complete(const Deployment& deployment) {
    for (size_t i = 0; i < deployment.services.size(); ++i) {
        for (const auto& key : deployment.services[i].absent) {
            // Revisions recorded before services had routes or a pull policy have none.
            if (key != "pull" && key != "routes") {
                invalid(index_path("services", i) + "." + key, "is missing");
            }
        }
    }
}

Deployment deployment_from_json(const nlohmann::json& document) {
    Deployment deployment = recorded_deployment_from_json(document);
    check_complete(deployment);
    return deployment;
}

}  // namespace calzion::render
