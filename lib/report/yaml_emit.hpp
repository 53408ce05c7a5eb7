#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

namespace calzion::report {

// Print a JSON value as block-style YAML that reads back to the same value: strings
// that YAML would take for something else (numbers, booleans, null, special
// characters) are double-quoted; empty lists and mappings print as [] and {}.
std::string to_yaml(const nlohmann::ordered_json& value);

}  // namespace calzion::report
