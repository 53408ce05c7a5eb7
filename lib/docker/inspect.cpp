#include "docker/inspect.hpp"

#include <nlohmann/json.hpp>
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

Container container_from(const json& item) {
    Container container;
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

std::vector<Container> parse_containers(const std::string& json_text) {
    std::vector<Container> containers;
    if (json_text.find_first_not_of(" \t\r\n") == std::string::npos) {
        return containers;
    }
    try {
        json document = json::parse(json_text);
        for (const auto& item : document) {
            containers.push_back(container_from(item));
        }
    } catch (const json::exception& error) {
        throw Error(ErrorKind::operation_failed, std::string("cannot read docker's container list: ") + error.what());
    }
    return containers;
}

std::map<std::string, std::string> parse_image_ids(const std::string& text) {
    std::map<std::string, std::string> ids;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        size_t space = line.rfind(' ');
        if (space == std::string::npos) {
            continue;
        }
        try {
            json tags = json::parse(line.substr(0, space));
            for (const auto& tag : tags) {
                ids[tag.get<std::string>()] = line.substr(space + 1);
            }
        } catch (const json::exception&) {
            continue;  // an image without tags, or a line that is not ours
        }
    }
    return ids;
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
