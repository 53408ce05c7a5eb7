#pragma once

#include <map>
#include <string>

#include "render/deployment.hpp"

namespace calzion::state {

// Each field of a service's spec as canonical JSON text, without what changes
// on every deploy (the revision and hash labels, the hash itself) and what is
// not part of the container (init, pull, routes), so that the planner can name
// what really changed between the recorded revision and the template.
std::map<std::string, std::string> fields_of(const render::RenderedService& service);

}  // namespace calzion::state
