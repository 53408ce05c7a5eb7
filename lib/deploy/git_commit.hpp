#pragma once

#include <string>

#include "exec/runner.hpp"

namespace calzion::deploy {

// The commit checked out in the git repository that holds `file`, as `git
// rev-parse HEAD` names it, with "-dirty" appended when `git status --porcelain`
// shows any change (untracked files too: the commit alone would not give back
// what was deployed). Runs git through `local`. Empty when the file is in no
// repository, when git is missing or when it fails: never throws, because a
// deploy must not depend on it.
std::string git_commit_of(exec::Runner& local, const std::string& file);

}  // namespace calzion::deploy
