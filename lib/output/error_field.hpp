#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "util/error.hpp"

namespace calzion::output {

// The name of an error kind in JSON documents: "operation_failed", "usage",
// "invalid_data", "unreachable", "lock_held", "permission" or "interrupted".
std::string kind_name(ErrorKind kind);

// A host's error in a JSON document: {"kind", "message", "exit_code"}, or null
// when the host had none.
nlohmann::ordered_json error_field(const std::optional<Error>& error);

}  // namespace calzion::output
