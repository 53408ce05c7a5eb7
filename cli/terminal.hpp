#pragma once

#include <string>

#include "output/live_reporter.hpp"
#include "util/error.hpp"

namespace calzion::cli {

// Whether to colour output on file descriptor `fd` (stderr unless given): --color
// ("always", "never", "auto"), then NO_COLOR, then whether `fd` is a terminal.
bool use_color(const std::string& when, int fd = 2);

// Whether `fd` is a terminal that understands cursor movement: a tty, and TERM
// set and not "dumb".
bool is_smart_terminal(int fd);

// The columns and lines of the terminal on `fd`; zeros when it is not one.
output::ScreenSize terminal_size(int fd);

// Whether the locale's character set is UTF-8: the first of LC_ALL, LC_CTYPE
// and LANG that is set decides.
bool locale_is_utf8();

// Print an error the way calzion prints every error:
//   calzion: error: [host: ]file:line:col: message
// then, for each located diagnostic, the source line and a caret under the column.
void print_error(const Error& error, bool color);

}  // namespace calzion::cli
