#pragma once

#include <string>
#include <vector>

#include "backend/volumes.hpp"
#include "exec/runner.hpp"
#include "plan/observed.hpp"
#include "state/host_state.hpp"
#include "swarm/argv.hpp"

namespace calzion::swarm {

// argv that removes services `names` and waits (up to `timeout_seconds`)
// until the manager runs none of their containers any more, so that their
// volumes and network can go. Exits non-zero with docker's message when a
// removal fails.
Argv remove_services_argv(const std::vector<std::string>& names, int timeout_seconds = 60);

// argv that removes network `network`, trying again while Swarm still has
// tasks on it (up to `timeout_seconds`); exits 0 once it is gone.
Argv remove_network_argv(const std::string& network, int timeout_seconds = 30);

// argv that removes what else calzion keeps on a swarm for `instance`: init
// jobs an interrupted deploy left (and their containers on the manager), the
// instance's Swarm secrets and the service versions it recorded in
// `instance_dir`.
Argv clean_up_argv(const std::string& instance, const std::string& instance_dir);

// argv that prints the swarm's nodes, "HOSTNAME self" for the manager.
Argv nodes_argv();

// What became of the instance's named volumes: on the manager as for plain
// docker (docker::settle_volumes). A Swarm volume lives on every node that
// ran a task with it, and calzion reaches only the manager: removing them on
// a swarm with other nodes, each is said to be kept there (see
// kept_on_other_nodes).
std::vector<backend::NamedVolume> settle_volumes(exec::Runner& runner, const state::HostState& recorded,
                                                 const plan::Observed& observed, bool removing);

// `settled` (what became of the volumes on the manager) with `others` (the
// other nodes' names) in mind: every volume of `settled` and `names` (those
// the instance knows of) may remain on them, so none counts as removed, and
// each says where it may be left and how to remove it there. Pure.
std::vector<backend::NamedVolume> kept_on_other_nodes(const std::vector<backend::NamedVolume>& settled,
                                                      const std::vector<std::string>& names,
                                                      const std::vector<std::string>& others);

}  // namespace calzion::swarm
