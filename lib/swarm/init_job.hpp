#pragma once

#include <string>
#include <vector>

#include "swarm/argv.hpp"
#include "swarm/spec.hpp"

namespace calzion::swarm {

// A service's init commands run once per instance, each as a Swarm
// replicated job: one task that runs the command to its end, on a node
// Swarm picks among the service's constraints.

// The job's name: <service name>_init ("_" is in no instance or service
// name: it is never a service's). Labelled io.calzion.init-of=<instance>, not
// with the instance: it is no workload of it.
std::string init_job_name(const std::string& service_name);

// `docker service create --mode replicated-job` that runs `command` with
// `spec`'s image, env, network, mounts, secrets, constraints, user, workdir
// and limits, without health check, restarts or ports, the command's stdout
// and stderr merged in the order written (`sh -c 'exec "$@" 2>&1'`, as the
// plain docker backend runs init commands).
Argv init_job_argv(const ServiceSpec& spec, const std::string& instance, const std::vector<std::string>& command);

// argv of a host script that removes a job of that name left by an
// interrupted deploy, creates the job (`create`), waits up to
// `timeout_seconds` until its task completed or failed, prints "VERDICT
// EXIT_CODE" (complete, failed, timeout, refused; "none" when there is no
// code), the task's error on the next line and the job's last `lines` output
// lines after it, then removes the job and, when it ran on the manager, its
// container (Swarm leaves a finished job's container behind, with the
// volumes it mounts in use). Exit 0 when it completed.
Argv run_job_argv(const std::string& job, const Argv& create, int timeout_seconds, int lines = 20);

// How a run_job_argv script ended.
struct JobOutcome {
    std::string verdict;
    std::string exit_code;  // "none" when the task has none
    std::string error;      // the task's error, or docker's refusal
    std::string output;     // the job's last output lines
};

JobOutcome parse_job(const std::string& output);

}  // namespace calzion::swarm
