#pragma once

#include <string>
#include <vector>

namespace calzion::docker {

// argv that creates the instance's network unless it exists, the given
// directories (volumes) inside the instance directory, and the named volumes
// that do not exist yet, labelled with the instance and `state_dir` (the owner).
// It exits exec::k_status_denied before creating anything when one of `volumes` exists without
// exactly those labels.
std::vector<std::string> prepare_argv(const std::string& instance_dir, const std::string& network,
                                      const std::string& instance, const std::vector<std::string>& directories,
                                      const std::string& state_dir, const std::vector<std::string>& volumes);

}  // namespace calzion::docker
