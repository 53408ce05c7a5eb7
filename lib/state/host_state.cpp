#include "state/host_state.hpp"

#include <nlohmann/json.hpp>
#include <sstream>

#include "state/fields.hpp"
#include "state/scripts.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace calzion::state {

using nlohmann::json;

namespace {

// Split the dump into its sections: name -> text.
std::map<std::string, std::string> sections_of(const std::string& output) {
    std::map<std::string, std::string> sections;
    std::istringstream lines(output);
    std::string line;
    std::string current;
    while (std::getline(lines, line)) {
        if (line.rfind("@@calzion ", 0) == 0) {
            current = line.substr(10);
            sections[current];
            continue;
        }
        if (!current.empty()) {
            sections[current] += line + "\n";
        }
    }
    return sections;
}

std::string trimmed(const std::string& text) {
    size_t end = text.find_last_not_of(" \r\n\t");
    return end == std::string::npos ? std::string() : text.substr(0, end + 1);
}

int number_in(const std::string& text) {
    std::string value = trimmed(text);
    if (value.empty() || value.size() > 9 || value.find_first_not_of("0123456789") != std::string::npos) {
        return -1;
    }
    return std::stoi(value);
}

std::vector<RecordedService> recorded_services(const std::string& revision_json, const std::string& host) {
    std::vector<RecordedService> services;
    try {
        json document = json::parse(revision_json);
        for (const auto& item : document.at("deployment").at("services")) {
            RecordedService service;
            service.name = item.at("name").get<std::string>();
            service.container = item.value("container", "");
            service.spec_hash = item.value("spec_hash", "");
            service.image = item.value("image", "");
            service.fields = fields_of(item);
            for (const auto& mount : item.value("mounts", json::array())) {
                if (mount.value("type", "") == "volume") {
                    service.volumes.push_back(mount.value("source", ""));
                }
            }
            services.push_back(std::move(service));
        }
    } catch (const json::exception& error) {
        throw Error(ErrorKind::invalid_data, "the current revision on " + util::quoted(host) +
                                                 " cannot be read: " + error.what());
    }
    return services;
}

}  // namespace

const RecordedService* HostState::recorded_service(const std::string& name) const {
    for (const auto& service : recorded) {
        if (service.name == name) {
            return &service;
        }
    }
    return nullptr;
}

HostState parse_dump(const std::string& output, const std::string& host) {
    auto sections = sections_of(output);
    if (!sections.count("end")) {
        throw Error(ErrorKind::operation_failed,
                    sections.count("docker-failed") ? "docker does not answer on the host (is the engine running?)"
                                                    : "the host's state could not be read");
    }
    HostState state;
    state.state_dir = trimmed(sections["state_dir"]);
    state.format = std::max(0, number_in(sections["format"]));
    if (state.format > k_state_format) {
        throw Error(ErrorKind::invalid_data, "the state in " + util::quoted(state.state_dir) + " has format " +
                                                 std::to_string(state.format) + ", newer than this calzion's (" +
                                                 std::to_string(k_state_format) + "): upgrade calzion");
    }
    state.current_revision = std::max(0, number_in(sections["current"]));
    state.revision_json = trimmed(sections["revision"]);
    if (state.current_revision > 0 && !state.revision_json.empty()) {
        state.recorded = recorded_services(state.revision_json, host);
    }
    state.lock_owner = trimmed(sections["lock"]);
    state.containers = docker::parse_containers(sections["containers"]);
    state.image_ids = docker::parse_image_ids(sections["images"]);
    return state;
}

}  // namespace calzion::state
