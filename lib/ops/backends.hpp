#pragma once
#include <string>

#include "backend/backend.hpp"

namespace calzion::ops {

// The backend the infrastructure's `backend:` value names ("docker" when it
// names none): the one place that knows every backend. Throws Error(usage)
// for a backend this calzion cannot use yet.
const backend::Backend& backend_named(const std::string& name);

}  // namespace calzion::ops
