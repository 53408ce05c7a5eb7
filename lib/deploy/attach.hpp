#pragma once

#include <string>
#include <vector>

#include "deploy/targets.hpp"
#include "docker/attach.hpp"

namespace calzion::deploy {

// logs and exec: reaching into the container of one service of a deployed
// instance. Both work from host state alone: the service's container is the one
// its current revision records.

struct LogsRequest {
    Targets targets;
    std::string instance;
    std::string service;
    docker::LogsOptions options;
};

// Copy the service's log to calzion's stdout and stderr (the container's two
// streams stay apart) as docker prints it. When the service runs on several
// hosts, every line is prefixed with "<host> | " and the hosts stream at once.
// Returns 0, or 1 when docker logs failed on a host (its message is already on
// stderr). Throws the worst host error (unreachable, ...) and Error(usage) for
// an instance or service that is not deployed on any target host.
int stream_logs(const LogsRequest& request);

struct ExecRequest {
    Targets targets;
    std::string instance;
    std::string service;
    std::vector<std::string> command;
    docker::ExecOptions options;
};

// Run `command` in the service's container wired to calzion's terminal, and
// return its exit code (128 + the signal number when a signal ended it). The
// service must run on exactly one of the target hosts; otherwise Error(usage)
// names them. A Swarm service runs it in one of its running tasks, on that
// task's node, reached at the node's address in the infrastructure file.
int exec_in_service(const ExecRequest& request);

}  // namespace calzion::deploy
