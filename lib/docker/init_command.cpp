#include "docker/init_command.hpp"

#include "docker/attach.hpp"

namespace calzion::docker {

namespace {

// Runs "$@" with stdout and stderr merged, in order, and keeps only the tail of
// what it prints, however much that is. A pipe loses the command's exit status,
// so the status comes back through fd 4 while the tail goes to fd 3, the
// script's stdout.
constexpr const char* k_tail = R"sh(
lines=$1; shift
{ rc=$( { { "$@" 2>&1; echo "$?" >&4; } | tail -n "$lines" >&3; } 4>&1 ); } 3>&1
exit "${rc:-1}"
)sh";

}  // namespace

Argv init_command(const std::string& container, const std::vector<std::string>& command, int lines) {
    Argv argv = {"sh", "-c", k_tail, "calzion", std::to_string(lines)};
    Argv merged = {"sh", "-c", "exec \"$@\" 2>&1", "calzion-init"};
    merged.insert(merged.end(), command.begin(), command.end());
    Argv exec_argv = exec(container, merged, ExecOptions{});
    argv.insert(argv.end(), exec_argv.begin(), exec_argv.end());
    return argv;
}

}  // namespace calzion::docker
