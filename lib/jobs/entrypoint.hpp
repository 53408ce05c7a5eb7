#pragma once

// The script a step container runs for `pre`, `cmds` and `post`. Pure.

#include <string>

#include "tmpl/pipeline.hpp"

namespace calzion::jobs {

// A POSIX sh script (dash and busybox sh alike) that sends its stderr to its
// stdout, then runs each line of `pre`, `cmds` and `post` in order, echoing it
// first as "$ <line>" (the line quoted by util::shell_quote where it is not
// plain) and stopping at the first that fails, with its exit status. Each line
// runs exactly as written through the shell (`sh -c`-like evaluation in the
// script's own shell, so globs expand, `$VAR` and `$(...)` work, quotes,
// backticks and newlines are kept). A failing line is followed by
// `calzion: "<line>" failed with exit status N`. Empty when the step has no
// script.
std::string entrypoint_script(const tmpl::PipelineStep& step);

}  // namespace calzion::jobs
