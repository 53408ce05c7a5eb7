#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

namespace calzion::tmpl {

// Print a JSON value as block-style YAML that reads back to the same value,
// written by yaml-cpp's YAML::Emitter: strings that YAML would take for
// something else (numbers, booleans, null, special characters, anything not
// ASCII) are double-quoted, with UTF-8 kept as it is and unprintable
// characters escaped; a string holding DEL, U+2028 or U+2029 is written in
// ASCII only. Empty lists and mappings print as [] and {}. A string that is
// not valid UTF-8 cannot be written as YAML: each bad byte becomes U+FFFD.
std::string to_yaml(const nlohmann::ordered_json& value);

}  // namespace calzion::tmpl
