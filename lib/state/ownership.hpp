#pragma once

#include <string>

#include "state/host_state.hpp"

namespace calzion::state {

// Refuse to touch an instance that another state directory owns: a container
// or named volume of the instance labelled io.calzion.state with another
// directory than `observed.state_dir`, or containers from before calzion
// labelled their owner while this state directory has no record of the
// instance (it has one: they are this directory's, and the next deploy
// relabels them). Throws Error(permission) naming the owner; `host` names the
// host in the message.
void check_owner(const HostState& observed, const std::string& instance, const std::string& host);

}  // namespace calzion::state
