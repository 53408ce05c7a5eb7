#pragma once

// The commands that read and act on job records across the hosts: `jobs`,
// `job show`, `job logs`, `job cancel`. Each connects once per host.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "deploy/targets.hpp"
#include "jobs/store.hpp"

namespace calzion::pipeline {

// The jobs on one host.
struct HostJobs {
    std::string host;
    std::vector<jobs::Found> jobs;
    std::optional<Error> error;
};

// Every job of `instance` (all instances when empty) on every target host,
// settled (a job whose worker is gone is marked error, see jobs::list_jobs).
std::vector<HostJobs> jobs_all(const deploy::Targets& targets, const std::string& instance);

// One job, found on the target hosts.
struct JobOnHost {
    std::string host;
    jobs::Found job;
};

// Find job `id` on the target hosts and call `act` with it and its host's
// runner (the connection it was found on). Throws Error(usage) for an id that
// is no job id, Error(operation_failed) "no job \"<id>\" on <hosts>" when no
// host has it, Error(usage) naming the hosts when several have it (choose one
// with --host), and the error of a host that could not be read when no other
// has the job.
void with_job(const deploy::Targets& targets, const std::string& id,
              const std::function<void(const JobOnHost&, exec::Runner&)>& act);

// Stream a job's log (see jobs::log_argv) to `out` as it comes. Throws
// Error(operation_failed) when the host cannot print it.
void stream_log(exec::Runner& host, const jobs::Found& job, const std::string& step, bool follow,
                const std::function<void(std::string_view)>& out);

}  // namespace calzion::pipeline
