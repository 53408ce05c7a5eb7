#include "deploy/targets.hpp"

#include <algorithm>


namespace calzion::deploy {

namespace {

int severity(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::interrupted: return 7;
    case ErrorKind::permission: return 6;
    case ErrorKind::unreachable: return 5;
    case ErrorKind::lock_held: return 4;
    case ErrorKind::invalid_data: return 3;
    case ErrorKind::usage: return 2;
    case ErrorKind::operation_failed: return 1;
    }
    return 0;
}

}  // namespace

std::string Targets::state_dir_for(const std::string& host) const {
    auto named = settings.find(host);
    return named == settings.end() || named->second.state_dir.empty() ? state_dir : named->second.state_dir;
}

std::vector<std::string> Targets::hosts_or_local() const {
    return hosts.empty() ? std::vector<std::string>{"local"} : hosts;
}

ops::Connector& Targets::connect() const {
    if (!connector) {
        throw Error(ErrorKind::operation_failed, "internal error: no connector for the hosts");
    }
    return *connector;
}

std::shared_ptr<ops::Connector> host_connector(const Targets& targets) {
    std::map<std::string, std::string> addresses;
    for (const auto& [name, settings] : targets.settings) {
        addresses[name] = settings.address;
    }
    return std::make_shared<ops::HostConnector>(targets.ssh, std::move(addresses));
}

std::vector<Connection> connect_all(const Targets& targets) {
    return ops::connect_all(targets.connect(), targets.hosts_or_local());
}

std::optional<Error> worst_of(const std::vector<std::optional<Error>>& errors) {
    std::optional<Error> worst;
    for (const auto& error : errors) {
        if (error && (!worst || severity(error->kind()) > severity(worst->kind()))) {
            worst = error;
        }
    }
    return worst;
}

void throw_worst(const std::vector<std::optional<Error>>& errors) {
    if (auto worst = worst_of(errors)) {
        throw *worst;
    }
}

}  // namespace calzion::deploy
