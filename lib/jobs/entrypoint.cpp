// Each line is embedded in the script as one single-quoted word and run with
// `eval`: the shell then reads the text exactly as the user wrote it (globs,
// `$VAR`, `$(...)`, backticks, quotes and newlines), in the script's own shell,
// so that a `cd` or an `export` in `pre` carries over to `cmds` as in a CI
// script. The echo prints that same word with printf, never with echo, whose
// handling of backslashes and "-n" differs between dash and busybox.

#include "jobs/entrypoint.hpp"

#include "util/shell.hpp"
#include "util/strings.hpp"

namespace calzion::jobs {

namespace {

void add_line(std::string& script, const std::string& line) {
    std::string failed = "calzion: " + util::quoted(line) + " failed with exit status";
    script += "printf '%s\\n' " + util::shell_quote("$ " + line) + "\n";
    script += "eval " + util::shell_quote(line) + " || { s=$?; printf '%s %s\\n' " + util::shell_quote(failed) +
              " \"$s\"; exit \"$s\"; }\n";
}

}  // namespace

std::string entrypoint_script(const tmpl::PipelineStep& step) {
    if (!step.has_script()) {
        return {};
    }
    std::string script = "#!/bin/sh\n# Step " + util::quoted(step.name) +
                         ": written by calzion; runs pre, cmds and post, stopping at the first failure.\n"
                         "exec 2>&1\n";
    for (const auto* lines : {&step.pre, &step.cmds, &step.post}) {
        for (const auto& line : *lines) {
            add_line(script, line);
        }
    }
    script += "exit 0\n";
    return script;
}

}  // namespace calzion::jobs
