#pragma once

#include <optional>
#include <string>

#include "util/error.hpp"

namespace calzion::output {

// Every --json document is one object in this envelope:
//   {"command": "status", ...the command's data..., "hosts": [...], "error": ...}
// "hosts" has one entry per host the command worked on (empty for commands that
// reach no host), each with "host" and "error" (null, or {"kind", "message",
// "exit_code"}). The top-level "error" is null when the command succeeded, else
// the error its exit code comes from: {"kind", "message", "exit_code", "host",
// "file", "line", "column", "diagnostics": [{"file", "line", "column",
// "message"}]}, where host and the location are null when unknown.
//
// Wrap `document`, a command's JSON object, in the envelope: "command" first,
// "hosts" added when it lacks them, "error" last.
std::string json_envelope(const std::string& command, const std::string& document,
                          const std::optional<Error>& error);

// The whole document of a command that failed before it had anything else to
// say, under --json: the envelope with no hosts and `error`. `command` may be
// empty when the command line could not be parsed (then "command" is null).
std::string error_to_json(const std::string& command, const Error& error);

}  // namespace calzion::output
