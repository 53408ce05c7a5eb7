#pragma once

#include <string>
#include <vector>

#include "exec/runner.hpp"

namespace calzion::exec {

// A Command that runs `argv` with `input` on its stdin, and nothing more.
inline Command command(std::vector<std::string> argv, std::string input = {}) {
    Command made;
    made.argv = std::move(argv);
    made.input = std::move(input);
    return made;
}

// Run `argv` (with `input` on its stdin) and return how it ended when it
// succeeded. Throws Error(operation_failed) "<what> failed: <stderr on one line>"
// when it exits non-zero, and as Runner::run when the transport breaks.
Result run_checked(Runner& runner, const std::vector<std::string>& argv, const std::string& what,
                   const std::string& input = "");

}  // namespace calzion::exec
