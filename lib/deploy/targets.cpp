#include "deploy/targets.hpp"

#include <algorithm>
#include <future>

#include "exec/local_runner.hpp"

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

Connection connect_one(const std::string& host, const Targets& targets) {
    Connection connection;
    connection.host = host;
    auto named = targets.settings.find(host);
    std::string address = named == targets.settings.end() ? host : named->second.address;
    try {
        if (address == "local") {
            connection.runner = std::make_unique<exec::LocalRunner>();
        } else {
            ssh::Options options = targets.ssh;
            options.label = host;
            connection.runner = ssh::connect(address, options);
        }
    } catch (const Error& error) {
        connection.error = error.host().empty() ? error.on_host(host) : error;
    }
    return connection;
}

}  // namespace

std::string Targets::state_dir_for(const std::string& host) const {
    auto named = settings.find(host);
    return named == settings.end() || named->second.state_dir.empty() ? state_dir : named->second.state_dir;
}

std::vector<Connection> connect_all(const Targets& targets) {
    std::vector<std::string> hosts = targets.hosts.empty() ? std::vector<std::string>{"local"} : targets.hosts;
    std::vector<std::future<Connection>> pending;
    for (const auto& host : hosts) {
        pending.push_back(std::async(std::launch::async, connect_one, host, std::cref(targets)));
    }
    std::vector<Connection> connections;
    for (auto& future : pending) {
        connections.push_back(future.get());
    }
    return connections;
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
