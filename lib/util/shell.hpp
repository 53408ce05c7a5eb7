#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace calzion::util {

// Quote one word for a POSIX shell so that the shell passes it on unchanged; the
// result is also read unchanged by bash, zsh and fish. This and shell_join are the
// only places calzion quotes anything for a shell. Throws std::invalid_argument on a
// NUL byte, which no shell can receive.
std::string shell_quote(std::string_view word);

// Quote every word of `argv` and join them with spaces: the command line a remote
// POSIX shell turns back into exactly `argv`.
std::string shell_join(const std::vector<std::string>& argv);

// Split a command string into words the way a POSIX shell would, without running
// one: single quotes, double quotes (with \" \\ \$ \` escapes) and backslashes are
// honoured; nothing is expanded. Throws std::invalid_argument on an unterminated quote.
std::vector<std::string> shell_split(std::string_view text);

// The argv that runs a constant POSIX sh `script` with `args` as $1, $2, ...:
// `sh -c SCRIPT calzion ARGS...` ("calzion" is $0, named in sh's messages).
// Values reach the script only as arguments, never inside its text.
std::vector<std::string> script_argv(const std::string& script, std::vector<std::string> args);

}  // namespace calzion::util
