#pragma once

#include "backend/apply.hpp"
#include "events/reporter.hpp"
#include "exec/runner.hpp"
#include "plan/plan.hpp"
#include "render/deployment.hpp"
#include "state/host_state.hpp"

namespace calzion::swarm {

// Carry out a plan on a swarm, through its manager. Before anything changes:
// every desired spec is made (a service Swarm cannot run fails here), and one
// script creates the instance's overlay network, refuses volumes on the
// manager that calzion did not create, and creates the Swarm secrets whose
// values `options` gives. Then each service, after those it comes after
// (their changes converged) and independent ones concurrently:
//   create   docker service create, then waits until it converged; a service
//            that does not is removed again;
//   replace  docker service update with what differs from the service's
//            current spec (read in the session's observe step), or a forced
//            rolling update when nothing does (the plan replaces it for
//            another reason: not converged, forced); Swarm rolls a failing
//            update back, and the error says so;
//   remove   docker service rm.
// Each change is waited for (see converge_argv) up to options.wait_timeout,
// and the service's version recorded. Where the plan says so, a service's
// init commands then run as replicated jobs, in order, and its init marker
// is written. Once every change converged, the instance's Swarm secrets that
// no service mounts any more are removed. The digest of the secrets a
// service now runs with is recorded as for plain docker. No further service
// changes after a failure. An unchanged plan runs no command at all. Never
// throws for a failure: the result says what happened.
backend::ApplyResult apply(const plan::Plan& plan, const render::Deployment& desired,
                           const state::HostState& recorded, exec::Runner& runner, events::Reporter& reporter,
                           const backend::ApplyOptions& options);

}  // namespace calzion::swarm
