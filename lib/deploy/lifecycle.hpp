#pragma once

#include <optional>
#include <string>
#include <vector>

#include "deploy/targets.hpp"
#include "exec/runner.hpp"
#include "events/reporter.hpp"
#include "state/host_state.hpp"

namespace calzion::deploy {

// restart, stop and start: what happens to the containers of an instance that
// is already deployed. Works from host state alone and records no revision
// (the spec did not change), only an audit line.
enum class Lifecycle { start, stop, restart };

// "start", "stop" or "restart".
std::string to_string(Lifecycle action);

struct LifecycleRequest {
    Targets targets;
    std::string instance;
    Lifecycle action = Lifecycle::restart;
    std::vector<std::string> services;  // empty: every service of the instance
    int lock_timeout = 0;               // seconds to wait for another holder of the lock
    int wait_timeout = 120;             // seconds a started container has to become ready
    int stable_seconds = 2;             // without a health check: running this long
};

// What became of one service on one host.
struct ServiceChange {
    std::string service;
    std::string change;  // "stopped", "already stopped", "no container", "started", "already running"
};

struct LifecycleOutcome {
    std::string host;
    std::vector<ServiceChange> changes;  // in the order they happened
    std::optional<Error> error;
};

// The usage error for a service `name` that instance `instance` does not
// have, with a did-you-mean among `names` and the list of them.
Error unknown_service(const std::string& name, const std::string& instance, const std::vector<std::string>& names);

// The services of the current revision that `requested` names, in start order
// (every one when `requested` is empty; duplicates count once). Throws
// Error(usage) when the instance has no recorded revision on the host or a name
// is not among its services, listing them.
std::vector<state::RecordedService> select_services(const state::HostState& observed, const std::string& instance,
                                                    const std::vector<std::string>& requested);

// Carry out `request` on the host behind `runner`, under the instance's lock:
// stop runs in reverse start order; start in start order, each service ready
// (docker::wait_ready_argv) before the next starts; restart stops, then starts.
// Appends an audit line, failed or not. Throws Error(lock_held) when the lock
// stays held, Error(usage) for an unknown service, and Error(operation_failed)
// when docker fails or a container does not become ready (with its last log
// lines); later services are then left alone.
void lifecycle_on(LifecycleOutcome& outcome, exec::Runner& runner, const LifecycleRequest& request,
                  events::Reporter& reporter);

// lifecycle_on on every target host at once. Errors are kept per host. With
// several hosts, every host is read first and each acts only on the requested
// services it runs (an instance placed over several hosts); a host running
// none of them is left alone. Throws Error(usage), before any change, when a
// requested service runs on none of the hosts or none has the instance.
std::vector<LifecycleOutcome> lifecycle_all(const LifecycleRequest& request, events::Reporter& reporter);

}  // namespace calzion::deploy
