#pragma once

#include <string>
#include <vector>

#include "infra/infrastructure.hpp"

namespace calzion::infra {

// Check that `place`, `domains` and `scale` name services the template has
// (`services`): of `instance` (a listed or a preview instance), or of every
// listed instance when it is empty. Throws Error(invalid_data) with each
// problem located in the infrastructure file, and what
// Infrastructure::instance() throws.
void check_services(const Infrastructure& infrastructure, const std::string& instance,
                    const std::vector<std::string>& services);

}  // namespace calzion::infra
