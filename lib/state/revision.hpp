#pragma once

#include <set>
#include <string>

#include "render/deployment.hpp"
#include "state/host_state.hpp"

namespace calzion::state {

// The deployment document to record after a deploy: what actually runs. A service
// appears with its new spec when it now runs it (`current` holds it: applied or
// unchanged), with its previously recorded spec when the deploy did not get to
// replace it, and not at all when it runs nowhere. Services kept outside the
// template (`kept`) stay as recorded.
std::string actual_deployment_json(const render::Deployment& next, const std::set<std::string>& current,
                                   const std::set<std::string>& kept, const HostState& observed);

// How the current revision's command ended, as recorded with it.
struct RevisionOutcome {
    std::string command;  // "deploy", "rollback"
    std::string status;   // "succeeded" or "failed"; empty when nothing is recorded
    std::string message;  // what went wrong, for a failure
};

// The outcome recorded in the current revision of `observed`; all empty when
// there is none or it cannot be read.
RevisionOutcome current_outcome(const HostState& observed);

}  // namespace calzion::state
