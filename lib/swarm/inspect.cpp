#include "swarm/inspect.hpp"

#include <nlohmann/json.hpp>

#include "util/error.hpp"

namespace calzion::swarm {

using nlohmann::json;

namespace {

const json& at(const json& object, const char* key) {
    static const json none;
    if (!object.is_object()) {
        return none;
    }
    auto found = object.find(key);
    return found == object.end() ? none : *found;
}

std::string text(const json& value) { return value.is_string() ? value.get<std::string>() : std::string(); }
long long number(const json& value) { return value.is_number() ? value.get<long long>() : 0; }

std::map<std::string, std::string> strings(const json& object) {
    std::map<std::string, std::string> out;
    if (object.is_object()) {
        for (const auto& [key, value] : object.items()) {
            out[key] = text(value);
        }
    }
    return out;
}

std::vector<std::string> words(const json& array) {
    std::vector<std::string> out;
    if (array.is_array()) {
        for (const auto& word : array) {
            out.push_back(text(word));
        }
    }
    return out;
}

UpdatePolicy policy_from(const json& config) {
    UpdatePolicy policy;
    policy.order = config.is_object() ? text(at(config, "Order")) : "stop-first";
    policy.failure_action = text(at(config, "FailureAction"));
    policy.parallelism = static_cast<int>(number(at(config, "Parallelism")));
    policy.monitor = number(at(config, "Monitor"));
    return policy;
}

void read_container(ServiceSpec& spec, const json& container) {
    spec.image = text(at(container, "Image"));
    spec.container_labels = strings(at(container, "Labels"));
    for (const auto& entry : words(at(container, "Env"))) {
        size_t equals = entry.find('=');
        spec.env[entry.substr(0, equals)] = equals == std::string::npos ? "" : entry.substr(equals + 1);
    }
    for (const auto& mount : at(container, "Mounts").is_array() ? at(container, "Mounts") : json::array()) {
        spec.mounts.push_back({text(at(mount, "Type")), text(at(mount, "Source")), text(at(mount, "Target")),
                               at(mount, "ReadOnly").is_boolean() && at(mount, "ReadOnly").get<bool>(), {}});
    }
    for (const auto& secret : at(container, "Secrets").is_array() ? at(container, "Secrets") : json::array()) {
        spec.secrets.push_back({text(at(secret, "SecretName")), text(at(at(secret, "File"), "Name"))});
    }
    spec.entrypoint = words(at(container, "Command"));
    spec.args = words(at(container, "Args"));
    const json& health = at(container, "Healthcheck");
    spec.health = {words(at(health, "Test")), number(at(health, "Interval")), number(at(health, "Timeout")),
                   number(at(health, "StartPeriod")), static_cast<int>(number(at(health, "Retries")))};
    spec.user = text(at(container, "User"));
    spec.workdir = text(at(container, "Dir"));
}

void read_task_template(ServiceSpec& spec, const json& task) {
    read_container(spec, at(task, "ContainerSpec"));
    const json& limits = at(at(task, "Resources"), "Limits");
    spec.memory = number(at(limits, "MemoryBytes"));
    spec.nano_cpus = number(at(limits, "NanoCPUs"));
    const json& restart = at(task, "RestartPolicy");
    spec.restart_condition = restart.is_object() ? text(at(restart, "Condition")) : "any";
    spec.restart_attempts = static_cast<int>(number(at(restart, "MaxAttempts")));
    spec.constraints = words(at(at(task, "Placement"), "Constraints"));
}

void read_endpoint(ServiceSpec& spec, const json& endpoint) {
    spec.endpoint_mode = endpoint.is_object() ? text(at(endpoint, "Mode")) : "vip";
    for (const auto& port : at(endpoint, "Ports").is_array() ? at(endpoint, "Ports") : json::array()) {
        spec.ports.push_back({static_cast<int>(number(at(port, "PublishedPort"))),
                              static_cast<int>(number(at(port, "TargetPort"))), text(at(port, "Protocol")),
                              text(at(port, "PublishMode"))});
    }
}

}  // namespace

InspectedService parse_service(const std::string& line) {
    json document = json::parse(line, nullptr, false);
    const json& spec = at(document, "Spec");
    if (!spec.is_object() || text(at(document, "ID")).empty()) {
        throw Error(ErrorKind::operation_failed, "cannot read the manager's description of a service");
    }
    InspectedService service;
    service.id = text(at(document, "ID"));
    service.version = number(at(at(document, "Version"), "Index"));
    service.update_state = text(at(at(document, "UpdateStatus"), "State"));
    service.spec.name = text(at(spec, "Name"));
    service.spec.labels = strings(at(spec, "Labels"));
    read_task_template(service.spec, at(spec, "TaskTemplate"));
    service.force_update = number(at(at(spec, "TaskTemplate"), "ForceUpdate"));
    const json& replicated = at(at(spec, "Mode"), "Replicated");
    service.spec.replicas = replicated.is_object() ? static_cast<int>(number(at(replicated, "Replicas"))) : -1;
    service.spec.update = policy_from(at(spec, "UpdateConfig"));
    service.spec.rollback = policy_from(at(spec, "RollbackConfig"));
    read_endpoint(service.spec, at(spec, "EndpointSpec"));
    return service;
}

const char* const k_task_format =
    R"({"ID":{{json .ID}},"ServiceID":{{json .ServiceID}},"NodeID":{{json .NodeID}},)"
    R"("DesiredState":{{json .DesiredState}},"State":{{json .Status.State}},"Err":{{json .Status.Err}},)"
    R"("Timestamp":{{json .Status.Timestamp}},)"
    R"("Container":{{with .Status.ContainerStatus}}{{json .ContainerID}}{{else}}""{{end}},)"
    R"("Labels":{{with .Spec.ContainerSpec}}{{json .Labels}}{{else}}null{{end}},)"
    R"("ForceUpdate":{{json .Spec.ForceUpdate}}})";

InspectedTask parse_task(const std::string& line) {
    json document = json::parse(line, nullptr, false);
    if (!document.is_object() || text(at(document, "ID")).empty()) {
        throw Error(ErrorKind::operation_failed, "cannot read the manager's description of a task");
    }
    InspectedTask out;
    out.task.id = text(at(document, "ID"));
    out.task.node = text(at(document, "NodeID"));
    out.task.container = text(at(document, "Container"));
    out.task.state = text(at(document, "State"));
    out.task.desired_state = text(at(document, "DesiredState"));
    out.task.error = text(at(document, "Err"));
    out.service_id = text(at(document, "ServiceID"));
    out.timestamp = text(at(document, "Timestamp"));
    auto labels = strings(at(document, "Labels"));
    out.task_label = labels.count(k_task_label) ? labels[k_task_label] : "";
    out.force_update = number(at(document, "ForceUpdate"));
    return out;
}

}  // namespace calzion::swarm
