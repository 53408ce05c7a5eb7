#pragma once

#include <string>
#include <vector>

#include "docker/argv.hpp"

namespace calzion::docker {

// argv that runs one of a service's init commands in its running container:
// `docker exec CONTAINER sh -c 'exec "$@" 2>&1' calzion-init COMMAND...`, the
// words as they are (the shell only joins stderr to stdout inside the
// container, so that the output keeps the order it was written in: docker
// carries two streams apart and does not keep the order across them), as the
// container's user, in its working directory, with its environment. Prints
// only the last `lines` lines of that output, and exits as the command did
// (docker exec's own failures, such as a stopped container, exit 125-127).
Argv init_command(const std::string& container, const std::vector<std::string>& command, int lines = 20);

}  // namespace calzion::docker
