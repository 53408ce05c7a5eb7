#include "state/host_state.hpp"

#include <nlohmann/json.hpp>
#include <sstream>

#include "state/fields.hpp"
#include "state/sections.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace calzion::state {

using nlohmann::json;

namespace {

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
            service.routes = item.value("routes", json::array()).dump();
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

// "web DB_PASSWORD API_KEY" per line: a service and the names in its env file.
std::map<std::string, std::set<std::string>> secret_files_in(const std::string& text) {
    std::map<std::string, std::set<std::string>> files;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        std::istringstream words(line);
        std::string service;
        std::string name;
        if (!(words >> service)) {
            continue;
        }
        auto& names = files[service];
        while (words >> name) {
            names.insert(name);
        }
    }
    return files;
}

// One service name per line.
std::set<std::string> names_in(const std::string& text) {
    std::set<std::string> names;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        if (!trimmed(line).empty()) {
            names.insert(trimmed(line));
        }
    }
    return names;
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
        throw Error(ErrorKind::operation_failed, "the host's state could not be read");
    }
    HostState state;
    state.state_dir = trimmed(sections["state_dir"]);
    state.format = state_format_in(sections["format"], state.state_dir);
    state.current_revision = std::max(0, number_in(sections["current"]));
    state.revision_json = trimmed(sections["revision"]);
    if (state.current_revision > 0 && !state.revision_json.empty()) {
        state.recorded = recorded_services(state.revision_json, host);
    }
    state.lock_owner = trimmed(sections["lock"]);
    state.secret_files = secret_files_in(sections["secrets"]);
    state.init_done = names_in(sections["init"]);
    for (const auto& [service, names] : secret_files_in(sections["secrets-applied"])) {
        if (!names.empty()) {
            state.secrets_applied[service] = *names.begin();
        }
    }
    state.observer_output = sections["observed"];
    return state;
}

}  // namespace calzion::state
