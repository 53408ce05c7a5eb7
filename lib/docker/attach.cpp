#include "docker/attach.hpp"

#include <regex>

#include "util/error.hpp"
#include "util/strings.hpp"

namespace calzion::docker {

namespace {

// Runs "$@" with stdin from /dev/null, and kills it once the script's own stdin
// reaches its end, which happens when calzion closes it or its connection dies.
// The watcher's output goes nowhere, so that the channel ends with "$@".
constexpr const char* k_until_stdin_closes = R"(exec 3<&0
"$@" </dev/null &
child=$!
{ cat <&3 >/dev/null 2>&1; kill "$child" 2>/dev/null; } >/dev/null 2>&1 &
watcher=$!
exec 3<&-
wait "$child"
status=$?
kill "$watcher" 2>/dev/null
exit "$status"
)";

}  // namespace

void check_since(const std::string& since) {
    if (since.empty()) {
        return;
    }
    static const std::regex unix_time(R"([0-9]{1,12}(\.[0-9]{1,9})?)");
    static const std::regex duration(R"(([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)");
    static const std::regex timestamp(
        R"([0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}(:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?)?)?(Z|[+-][0-9]{2}:[0-9]{2})?)");
    if (since.size() <= 64 && (std::regex_match(since, unix_time) || std::regex_match(since, duration) ||
                               std::regex_match(since, timestamp))) {
        return;
    }
    throw Error(ErrorKind::usage, "--since: expected a time (2026-01-02T15:04:05Z, a Unix time) or a duration "
                                  "(10m, 1h30m), got " + util::quoted(since));
}

Argv logs(const std::string& container, const LogsOptions& options) {
    Argv argv;
    if (options.follow) {
        argv = {"sh", "-c", k_until_stdin_closes, "calzion-logs"};
    }
    argv.insert(argv.end(), {"docker", "logs"});
    if (options.follow) {
        argv.push_back("--follow");
    }
    if (!options.tail.empty()) {
        argv.insert(argv.end(), {"--tail", options.tail});
    }
    if (!options.since.empty()) {
        argv.insert(argv.end(), {"--since", options.since});
    }
    if (options.timestamps) {
        argv.push_back("--timestamps");
    }
    argv.push_back(container);
    return argv;
}

Argv exec(const std::string& container, const std::vector<std::string>& command, const ExecOptions& options) {
    Argv argv{"docker", "exec"};
    if (options.interactive) {
        argv.push_back("--interactive");
    }
    if (options.tty) {
        argv.push_back("--tty");
        if (!options.term.empty()) {
            argv.insert(argv.end(), {"--env", "TERM=" + options.term});
        }
    }
    if (!options.user.empty()) {
        argv.insert(argv.end(), {"--user", options.user});
    }
    if (!options.workdir.empty()) {
        argv.insert(argv.end(), {"--workdir", options.workdir});
    }
    argv.push_back(container);
    argv.insert(argv.end(), command.begin(), command.end());
    return argv;
}

}  // namespace calzion::docker
