#include "docker/inspect.hpp"

#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "util/error.hpp"

namespace calzion::docker {

using nlohmann::json;

namespace {

std::string string_at(const json& object, const char* key) {
    auto found = object.find(key);
    return found != object.end() && found->is_string() ? found->get<std::string>() : std::string();
}

int label_number(const std::string& text) {
    if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos) {
        return 0;
    }
    return std::stoi(text);
}

// A container of the instance as the workload that runs its service.
plan::Workload container_from(const json& item) {
    plan::Workload container;
    container.id = string_at(item, "Id");
    container.name = string_at(item, "Name");
    if (!container.name.empty() && container.name.front() == '/') {
        container.name.erase(0, 1);
    }
    container.image_id = string_at(item, "Image");
    const json& config = item.value("Config", json::object());
    const json labels = config.value("Labels", json::object());
    if (labels.is_object()) {
        container.instance = string_at(labels, "io.calzion.instance");
        container.service = string_at(labels, "io.calzion.service");
        container.spec_hash = string_at(labels, "io.calzion.spec-hash");
        container.state_dir = string_at(labels, "io.calzion.state");
        container.revision = label_number(string_at(labels, "io.calzion.revision"));
    }
    const json& state = item.value("State", json::object());
    container.status = string_at(state, "Status");
    container.exit_code = state.value("ExitCode", 0);
    container.started_at = string_at(state, "StartedAt");
    if (state.contains("Health") && state["Health"].is_object()) {
        container.health = string_at(state["Health"], "Status");
    }
    container.restart_count = item.value("RestartCount", 0);
    const json mounts = item.value("Mounts", json::array());
    if (mounts.is_array()) {
        for (const auto& mount : mounts) {
            if (mount.is_object() && string_at(mount, "Type") == "volume") {
                container.volumes.push_back({string_at(mount, "Name"), string_at(mount, "Destination")});
            }
        }
    }
    return container;
}

}  // namespace

const char* const k_inspect_format =
    R"({{if index . "State"}})"
    R"({"Id":{{json .Id}},"Name":{{json .Name}},"Image":{{json .Image}},"RestartCount":{{json .RestartCount}},)"
    R"("Config":{"Labels":{{json .Config.Labels}}},)"
    R"("Mounts":[{{range $i, $m := .Mounts}}{{if $i}},{{end}})"
    R"({"Type":{{json $m.Type}},"Name":{{json (index $m "Name")}},"Destination":{{json $m.Destination}}}{{end}}],)"
    R"("State":{"Status":{{json .State.Status}},"ExitCode":{{json .State.ExitCode}},)"
    R"("StartedAt":{{json .State.StartedAt}},)"
    R"("Health":{{with index .State "Health"}}{"Status":{{json .Status}}}{{else}}null{{end}}}})"
    R"({{else if index . "RepoTags"}}{"RepoTags":{{json .RepoTags}},"Id":{{json .Id}}}{{end}})";

Inspected parse_inspected(const std::string& text) {
    Inspected inspected;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        json item = json::parse(line, nullptr, false);
        if (!item.is_object()) {
            continue;
        }
        if (item.contains("State")) {
            try {
                inspected.containers.push_back(container_from(item));
            } catch (const json::exception& error) {
                throw Error(ErrorKind::operation_failed,
                            std::string("cannot read docker's description of a container: ") + error.what());
            }
            continue;
        }
        auto tags = item.find("RepoTags");
        std::string id = string_at(item, "Id");
        if (tags == item.end() || !tags->is_array() || id.empty()) {
            continue;
        }
        for (const auto& tag : *tags) {
            if (tag.is_string()) {
                inspected.image_ids[tag.get<std::string>()] = id;
            }
        }
    }
    return inspected;
}

std::vector<std::string> references_to_inspect(const std::vector<std::string>& images) {
    std::vector<std::string> references;
    std::set<std::string> seen;
    for (const auto& image : images) {
        std::string reference = normalize_reference(image);
        if (seen.insert(reference).second) {
            references.push_back(reference);
        }
    }
    return references;
}

Versions parse_versions(const std::string& text) {
    Versions versions;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        json document = json::parse(line, nullptr, false);
        if (!document.is_object()) {
            continue;
        }
        auto side = [&document](const char* key) {
            auto found = document.find(key);
            return found != document.end() && found->is_object() ? *found : json::object();
        };
        versions.client = string_at(side("Client"), "Version");
        versions.server = string_at(side("Server"), "Version");
        versions.server_api = string_at(side("Server"), "ApiVersion");
        break;
    }
    return versions;
}

std::string normalize_reference(const std::string& reference) {
    std::string ref = reference;
    for (const char* prefix : {"docker.io/library/", "docker.io/", "index.docker.io/library/"}) {
        if (ref.rfind(prefix, 0) == 0) {
            ref.erase(0, std::string(prefix).size());
            break;
        }
    }
    size_t slash = ref.rfind('/');
    size_t colon = ref.rfind(':');
    bool has_tag = colon != std::string::npos && (slash == std::string::npos || colon > slash);
    if (!has_tag && ref.find('@') == std::string::npos) {
        ref += ":latest";
    }
    return ref;
}

}  // namespace calzion::docker
