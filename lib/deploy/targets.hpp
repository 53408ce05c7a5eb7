#pragma once

#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "exec/runner.hpp"
#include "router/sync.hpp"
#include "ssh/connect.hpp"
#include "util/error.hpp"

namespace calzion::deploy {

// How to reach a host that has a name of its own (in the infrastructure file).
struct HostSettings {
    std::string address;    // [user@]host[:port], an ssh_config alias, or "local"
    std::string state_dir;  // empty: the Targets' default
};

// The hosts a command works on and how to reach them.
struct Targets {
    std::vector<std::string> hosts;  // names; empty: this machine ("local")
    ssh::Options ssh;
    std::string state_dir;  // empty: the host's default
    std::map<std::string, HostSettings> settings;  // by host name; others are addresses
    router::SyncOptions router;                    // the hosts' router, for instances with domains
    std::string backend = "docker";                // what runs the services (backend::select)

    // The state directory on `host` (empty: the host's default).
    std::string state_dir_for(const std::string& host) const;
};

// One host, connected or not.
struct Connection {
    std::string host;
    std::unique_ptr<exec::Runner> runner;  // null when connecting failed
    std::optional<Error> error;
};

// Connect to every target host at once: "local" runs on this machine, any other
// name over SSH. Failures are kept per host, each naming its host.
std::vector<Connection> connect_all(const Targets& targets);

// Connect to every host and run `work(outcome, runner)` on each at once. An
// Outcome has `host` and `optional<Error> error`; a failure to connect or an
// Error thrown by `work` lands there, naming the host.
template <typename Outcome, typename Work>
std::vector<Outcome> on_every_host(const Targets& targets, Work work) {
    std::vector<Connection> connections = connect_all(targets);
    std::vector<std::future<Outcome>> pending;
    for (auto& connection : connections) {
        pending.push_back(std::async(std::launch::async, [&connection, &work] {
            Outcome outcome;
            outcome.host = connection.host;
            outcome.error = connection.error;
            if (connection.runner) {
                try {
                    work(outcome, *connection.runner);
                } catch (const Error& error) {
                    outcome.error = error.host().empty() ? error.on_host(connection.host) : error;
                }
            }
            return outcome;
        }));
    }
    std::vector<Outcome> outcomes;
    for (auto& future : pending) {
        outcomes.push_back(future.get());
    }
    return outcomes;
}

// The most serious error among failed results (permission, unreachable, lock
// held, invalid data, operation failed, in that order), if any.
std::optional<Error> worst_of(const std::vector<std::optional<Error>>& errors);

// Throw worst_of(errors), if any.
void throw_worst(const std::vector<std::optional<Error>>& errors);

}  // namespace calzion::deploy
