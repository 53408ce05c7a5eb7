#pragma once
// What every backend's apply takes and gives back.

#include <map>
#include <optional>
#include <set>
#include <string>

#include "render/deployment.hpp"
#include "util/error.hpp"

namespace calzion::backend {

// How to carry out a plan on one host.
struct ApplyOptions {
    // Set: the pull policy of every container created (deploy --pull, rollback),
    // over each service's own `pull`; unset: the service's, else missing.
    std::optional<render::PullPolicy> pull;
    int wait_timeout = 120;  // seconds a new container has to become ready
    int stable_seconds = 2;  // without a health check: running this long without a restart
    // Start-first: how long an old container, out of its service's alias,
    // still serves what was sent to it before it is stopped.
    int drain_seconds = 2;
    // Secret values per service, as env-file text, written to the host before any
    // container starts; never logged. A service with secrets but no entry here
    // runs with the env file already on the host (state::HostState::secret_files).
    std::map<std::string, std::string> secrets;
};

// What apply achieved on one host.
struct ApplyResult {
    std::set<std::string> applied;  // services now running their new spec (or removed)
    // Services planned as unchanged whose container, left by an interrupted
    // replacement, did not become ready: the old container runs again instead.
    std::set<std::string> restored;
    // The first failure, with its kind and host (a lost connection stays
    // unreachable); unset when all went well.
    std::optional<Error> error;
    bool ok() const { return !error; }
};

}  // namespace calzion::backend
