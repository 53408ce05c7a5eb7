#pragma once

// Per-host fan-out: one task per host on exec::run_each, at most k_host_limit
// hosts at once. Whatever a host's task throws becomes an Error naming the
// host, in that host's outcome; the other hosts' outcomes are kept.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "exec/executor.hpp"
#include "exec/runner.hpp"
#include "ops/connector.hpp"
#include "util/error.hpp"

namespace calzion::ops {

// How many hosts a command works on at once.
inline constexpr size_t k_host_limit = 16;

// `error`, naming `host` unless it names one already.
inline Error on_host(const Error& error, const std::string& host) {
    return error.host().empty() ? error.on_host(host) : error;
}

// One host, connected or not.
struct Connection {
    std::string host;
    std::unique_ptr<exec::Runner> runner;  // null when connecting failed
    std::optional<Error> error;            // why connecting failed, naming the host
};

// Connect to every host of `hosts` (at most k_host_limit at once). Failures are
// kept per host, each naming its host.
std::vector<Connection> connect_all(Connector& connector, const std::vector<std::string>& hosts);

// Run `work(i)` for every connection that has a runner and whose outcome has no
// error yet, at most k_host_limit at once. An Outcome has `host` and
// `optional<Error> error`: the outcomes get their host, a failure to connect,
// and whatever `work(i)` throws, as an Error naming the host.
template <typename Outcome, typename Work>
void on_each(std::vector<Connection>& connections, std::vector<Outcome>& outcomes, Work work) {
    outcomes.resize(connections.size());
    for (size_t i = 0; i < connections.size(); ++i) {
        outcomes[i].host = connections[i].host;
        if (!outcomes[i].error) {
            outcomes[i].error = connections[i].error;
        }
    }
    auto errors = exec::run_each(connections.size(), k_host_limit, [&](size_t i) {
        if (connections[i].runner && !outcomes[i].error) {
            work(i);
        }
    });
    for (size_t i = 0; i < connections.size(); ++i) {
        if (errors[i]) {
            outcomes[i].error = on_host(*errors[i], connections[i].host);
        }
    }
}

// Connect to every host and run `work(outcome, runner)` on each, one task per
// host doing both (at most k_host_limit at once), and return the outcomes in
// the order of `hosts`. A failure to connect or whatever `work` throws lands in
// the host's outcome as an Error naming the host.
template <typename Outcome, typename Work>
std::vector<Outcome> on_every_host(Connector& connector, const std::vector<std::string>& hosts, Work work) {
    std::vector<Outcome> outcomes(hosts.size());
    auto errors = exec::run_each(hosts.size(), k_host_limit, [&](size_t i) {
        outcomes[i].host = hosts[i];
        std::unique_ptr<exec::Runner> runner = connector.connect(hosts[i]);
        work(outcomes[i], *runner);
    });
    for (size_t i = 0; i < hosts.size(); ++i) {
        outcomes[i].host = hosts[i];
        if (errors[i]) {
            outcomes[i].error = on_host(*errors[i], hosts[i]);
        }
    }
    return outcomes;
}

}  // namespace calzion::ops
