#pragma once

#include <map>
#include <set>
#include <string>

#include "docker/argv.hpp"
#include "exec/runner.hpp"
#include "plan/plan.hpp"
#include "report/reporter.hpp"
#include "state/host_state.hpp"

namespace calzion::deploy {

struct ApplyOptions {
    docker::PullPolicy pull = docker::PullPolicy::missing;
    int wait_timeout = 120;  // seconds a new container has to become ready
    int stable_seconds = 2;  // without a health check: running this long without a restart
    // Secret values per service, as env-file text, written to the host before any
    // container starts; never logged. A service with secrets but no entry here
    // runs with the env file already on the host (state::HostState::secret_files).
    std::map<std::string, std::string> secrets;
};

// What apply achieved on one host.
struct ApplyResult {
    std::set<std::string> applied;  // services now running their new spec (or removed)
    std::string error;              // the first failure, empty when all went well
    bool ok() const { return error.empty(); }
};

// Carry out a plan on one host: create the network and directories, then start,
// replace and remove containers, each service after those it depends on and
// independent ones concurrently. A service that fails to become ready is rolled
// back (its new container removed, the old one kept or restarted); no further
// service is started after a failure. A service that needs secrets neither given
// in `options` nor in its env file on the host fails before anything changes.
// Never throws for a docker failure: the
// result says what happened so that the state can record what actually runs.
ApplyResult apply(const plan::Plan& plan, const render::Deployment& desired, const state::HostState& observed,
                  exec::Runner& runner, report::Reporter& reporter, const ApplyOptions& options);

}  // namespace calzion::deploy
