#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "exec/runner.hpp"

namespace calzion::exec {

// argv of one remote script that runs `steps` (each an argv) one after
// another and stops at the first that fails: a change that would otherwise open
// a channel per step opens one. Every word is passed as an argument, never
// put into the script text. Only the stdout of step `keep_stdout` (from 0) is
// kept, the others' goes to /dev/null (docker run and docker stop print what
// is known); every step's stderr is kept. Exits 0 when all succeeded, else
// sequence_exit(index) of the step that failed.
std::vector<std::string> sequence_argv(const std::vector<std::vector<std::string>>& steps, size_t keep_stdout);

// The steps of a sequence_argv argv; empty for any other argv.
std::vector<std::vector<std::string>> sequence_steps(const std::vector<std::string>& argv);

// The exit code of a sequence whose step `index` (from 0) failed.
int sequence_exit(size_t index);

// Which of `count` steps failed, from the result of sequence_argv; `count` when
// that cannot be told (the script did not end by itself: a signal, a lost
// connection). Only meaningful when !result.ok().
size_t failed_step(const Result& result, size_t count);

}  // namespace calzion::exec
