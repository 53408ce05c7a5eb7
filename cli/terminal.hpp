#pragma once

#include <string>

#include "util/error.hpp"

namespace calzion::cli {

// Whether to colour output on stderr: --color, then NO_COLOR, then whether stderr
// is a terminal.
bool use_color(const std::string& when);

// Print an error the way calzion prints every error:
//   calzion: error: [host: ]file:line:col: message
// then, for each located diagnostic, the source line and a caret under the column.
void print_error(const Error& error, bool color);

}  // namespace calzion::cli
