#pragma once

#include <string>

#include "util/error.hpp"

namespace calzion::report {

// The JSON document printed on stdout for a failed command under --json:
// {"error": {"message", "exit_code", "host", "file", "line", "column",
//            "diagnostics": [{"file", "line", "column", "message"}]}}
std::string error_to_json(const Error& error);

}  // namespace calzion::report
