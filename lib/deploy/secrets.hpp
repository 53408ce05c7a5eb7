#pragma once

#include <map>
#include <string>
#include <vector>

#include "render/deployment.hpp"

namespace calzion::deploy {

// Find the value of every secret the deployment's services name: from the
// --secrets-file files (later files win), else from the environment. Throws
// Error(usage) naming the secret and its service when one is set nowhere, and
// Error(invalid_data) when a value holds a newline (env files cannot carry it).
// Values never appear in the messages.
std::map<std::string, std::string> resolve_secrets(const render::Deployment& deployment,
                                                   const std::map<std::string, std::string>& environment,
                                                   const std::vector<std::string>& secrets_files);

}  // namespace calzion::deploy
