#pragma once

#include <string>
#include <utility>
#include <vector>

#include "exec/runner.hpp"

namespace calzion::swarm {

// What must be on the manager before services of an instance change.
struct Preparation {
    std::string network;   // the instance's overlay network
    std::string instance;
    std::string state_dir;  // the owner, as the volumes' labels name it
    std::vector<std::string> volumes;  // named volumes the services mount
    std::vector<std::pair<std::string, std::string>> secrets;  // Swarm secret name -> value
};

// The command that, on the manager, refuses a volume of `volumes` that exists
// there without the instance's and owner's labels (exit
// exec::k_status_denied, before anything is created; calzion does not use a
// volume it did not create), creates the instance's attachable overlay
// network unless it exists (and refuses a network of that name that is not a
// swarm one), and creates the Swarm secrets that do not exist yet, labelled
// with the instance, their values on the command's stdin, one per line.
exec::Command prepare_command(const Preparation& preparation);

}  // namespace calzion::swarm
