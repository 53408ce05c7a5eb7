#pragma once

#include <string>

#include "plan/observed.hpp"
#include "state/host_state.hpp"

namespace calzion::backend {

// Refuse to touch an instance that another state directory owns: a workload
// or named volume of the instance whose owner is another directory than
// `recorded.state_dir`, or workloads from before calzion labelled their owner
// while this state directory has no record of the instance (it has one: they
// are this directory's, and the next deploy relabels them). Throws
// Error(permission) naming the owner; `host` names the host in the message.
void check_owner(const plan::Observed& observed, const state::HostState& recorded, const std::string& instance,
                 const std::string& host);

}  // namespace calzion::backend
