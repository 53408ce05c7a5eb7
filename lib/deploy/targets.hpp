#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "exec/runner.hpp"
#include "ops/connector.hpp"
#include "ops/fan_out.hpp"
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
    // How the hosts are reached: host_connector(*this) for the real ones, fake
    // hosts in tests. Shared, as requests holding Targets are copied.
    std::shared_ptr<ops::Connector> connector;
    std::string backend = "docker";                // what runs the services (ops::backend_named)
    std::vector<std::string> edges;                // swarm: the nodes the router runs on (empty: the manager)

    // The hosts, or "local" when none is given.
    std::vector<std::string> hosts_or_local() const;
    // The connector. Throws Error(operation_failed) when none was given.
    ops::Connector& connect() const;

    // The state directory on `host` (empty: the host's default).
    std::string state_dir_for(const std::string& host) const;
};

using Connection = ops::Connection;

// Connect to every target host (Targets::hosts_or_local) through its connector.
// Failures are kept per host, each naming its host.
std::vector<Connection> connect_all(const Targets& targets);

// Connect to every target host and run `work(outcome, runner)` on each (see
// ops::on_every_host): an Outcome has `host` and `optional<Error> error`; a
// failure to connect or whatever `work` throws lands there, naming the host.
template <typename Outcome, typename Work>
std::vector<Outcome> on_every_host(const Targets& targets, Work work) {
    return ops::on_every_host<Outcome>(targets.connect(), targets.hosts_or_local(), work);
}

// The real hosts of `targets`: "local" on this machine, any other over SSH
// with targets.ssh, a named host at its address in targets.settings.
std::shared_ptr<ops::Connector> host_connector(const Targets& targets);

// The most serious error among failed results (permission, unreachable, lock
// held, invalid data, operation failed, in that order), if any.
std::optional<Error> worst_of(const std::vector<std::optional<Error>>& errors);

// Throw worst_of(errors), if any.
void throw_worst(const std::vector<std::optional<Error>>& errors);

}  // namespace calzion::deploy
