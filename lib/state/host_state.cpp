#include "state/host_state.hpp"

#include <sstream>

#include "state/fields.hpp"
#include "state/sections.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace calzion::state {

namespace {

// The services of a revision as the planner compares them.
std::vector<RecordedService> recorded_services(const render::Deployment& deployment) {
    std::vector<RecordedService> services;
    for (const auto& service : deployment.services) {
        RecordedService recorded{service.name, service.container, service.spec_hash, service.image,
                                 fields_of(service), {}, service.routes, service.mounts};
        for (const auto& mount : service.mounts) {
            if (mount.type == render::MountType::volume) {
                recorded.volumes.push_back(mount.source);
            }
        }
        services.push_back(std::move(recorded));
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

HostState parse_dump(const std::string& output, const std::string& instance, const std::string& host) {
    auto sections = sections_of(output);
    if (!sections.count("end")) {
        throw Error(ErrorKind::operation_failed, "the host's state could not be read");
    }
    HostState state;
    state.state_dir = trimmed(sections["state_dir"]);
    state.format = state_format_in(sections["format"], state.state_dir);
    state.current_revision = std::max(0, number_in(sections["current"]));
    // No file for the current revision: the instance is being destroyed.
    if (std::string text = trimmed(sections["revision"]); state.current_revision > 0 && !text.empty()) {
        state.revision =
            parse_revision(text, host, revision_file(state.instance_dir(instance), state.current_revision));
        state.recorded = recorded_services(state.revision->deployment);
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
