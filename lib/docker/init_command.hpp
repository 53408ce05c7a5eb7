#pragma once

#include <string>
#include <vector>

#include "docker/argv.hpp"

namespace calzion::docker {

// argv that runs one of a service's init commands in its running container:
// `docker exec CONTAINER COMMAND...`, the words as they are (no shell in
// between, like `cmd`), as the container's user, in its working directory,
// with its environment. Prints only the last `lines` lines of the command's
// stdout and stderr, merged (docker keeps the order within each stream, not
// always across them), and exits as the command did (docker exec's own
// failures, such as a stopped container, exit 125-127).
Argv init_command(const std::string& container, const std::vector<std::string>& command, int lines = 20);

}  // namespace calzion::docker
