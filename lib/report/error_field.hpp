#pragma once

#include <nlohmann/json.hpp>
#include <optional>

#include "util/error.hpp"

namespace calzion::report {

// A host's error in a JSON document: {"message", "exit_code"}, or null when the
// host had none.
nlohmann::ordered_json error_field(const std::optional<Error>& error);

}  // namespace calzion::report
