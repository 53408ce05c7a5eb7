#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>

#include "backend/apply.hpp"
#include "docker/argv.hpp"
#include "exec/runner.hpp"
#include "plan/plan.hpp"
#include "events/reporter.hpp"
#include "state/host_state.hpp"
#include "util/error.hpp"

namespace calzion::docker {

using backend::ApplyOptions;
using backend::ApplyResult;

// Carry out a plan on one host: create the network and directories, then start,
// replace and remove containers, each service after those it depends on and
// independent ones concurrently. Where the plan says so, a service's init
// commands run in its ready container, in order, and its init marker is written
// once all have succeeded; only then do the services that depend on it start.
// A service that fails to become ready, or whose init fails, is rolled back (its
// new container removed, the old one kept or restarted; a container the plan
// left unchanged keeps running); no further service is started after a failure.
// A start-first replacement drops no request: the new container joins the
// service's alias only once ready, then the old one leaves it, drains and is
// stopped gracefully (docker::hand_over_argv).
// A replacement an interrupted deploy left half done (the old container parked
// and still serving, the new one there or not) is finished the same way: the
// parked one serves until a new one is ready, else it comes back under its name. A service that needs secrets neither given
// in `options` nor in its env file on the host fails before anything changes.
// Never throws for a failure, docker's or the connection's (anything thrown
// becomes an Error): the result says what happened so that the state can
// record what actually runs.
ApplyResult apply(const plan::Plan& plan, const render::Deployment& desired, const state::HostState& observed,
                  exec::Runner& runner, events::Reporter& reporter, const ApplyOptions& options);

}  // namespace calzion::docker
