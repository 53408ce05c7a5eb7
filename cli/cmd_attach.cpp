// logs and exec: into the container of one service.

#include <cstdlib>
#include <unistd.h>

#include "commands.hpp"
#include "common.hpp"
#include "deploy/attach.hpp"
#include "docker/attach.hpp"
#include "util/error.hpp"

namespace calzion::cli {

namespace {

// --tail takes a count of lines or "all", as docker does.
void check_tail(const std::string& tail) {
    if (tail.empty() || tail == "all") {
        return;
    }
    bool digits = tail.find_first_not_of("0123456789") == std::string::npos;
    if (!digits || tail.size() > 9) {
        throw Error(ErrorKind::usage, "--tail: expected a number of lines or \"all\", got \"" + tail + "\"");
    }
}

// logs and exec pass the container's own output through as it comes: there is
// no document to print.
void refuse_json(const Invocation& run) {
    if (run.global.json) {
        throw Error(ErrorKind::usage, run.command + " prints the container's own output: it has no --json");
    }
}

}  // namespace

int run_logs(const Invocation& run) {
    refuse_json(run);
    check_tail(run.tail);
    docker::check_since(run.since);
    deploy::LogsRequest request;
    request.targets = targets_for(run);
    request.instance = run.instance;
    request.service = run.service;
    request.options.follow = run.follow;
    request.options.tail = run.tail;
    request.options.since = run.since;
    request.options.timestamps = run.timestamps;
    return deploy::stream_logs(request);
}

int run_exec(const Invocation& run) {
    refuse_json(run);
    deploy::ExecRequest request;
    request.targets = targets_for(run);
    request.instance = run.instance;
    request.service = run.service;
    request.command = run.exec_command;
    bool terminal = ::isatty(STDIN_FILENO) == 1;
    request.options.tty = terminal && !run.no_tty;
    request.options.interactive = terminal || run.interactive;
    if (request.options.tty) {
        const char* term = std::getenv("TERM");
        request.options.term = term != nullptr ? term : "";
    }
    request.options.user = run.user;
    request.options.workdir = run.workdir;
    return deploy::exec_in_service(request);
}

}  // namespace calzion::cli
