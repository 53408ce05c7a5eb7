#pragma once

// The queue of an instance's jobs on its job host: `pipeline enqueue` records
// a queued job and returns; `pipeline work` and `ship` run queued jobs, one
// worker per instance at a time (jobs/queue/lock), each job claimed by its own
// lock so that no job ever runs twice. Builds and tasks run in order of
// arrival; when newer jobs wait behind one, its release is needless and only
// the newest releases (coalescing): the others are recorded superseded.

#include <functional>
#include <string>
#include <vector>

#include "events/reporter.hpp"
#include "exec/runner.hpp"
#include "jobs/record.hpp"
#include "pipeline/run.hpp"

namespace calzion::pipeline {

// Record `record` (instance, commit, template, ship) as a queued job on the
// host and return it with its id and number. One job directory, like run_job's.
jobs::JobRecord enqueue(exec::Runner& host, const std::string& state_dir, jobs::JobRecord record, int keep);

struct WorkOptions {
    bool coalesce = true;   // only the newest waiting job releases
    int lock_wait = 0;      // seconds to wait for another worker of the instance
    std::string command = "pipeline work";  // who works the queue, for the lock's owner record
};

// Build the request of a queued job: its pipeline, source and deploy, as the
// command line of the worker says. What it throws ends the job in error.
using Prepare = std::function<JobRequest(const jobs::JobRecord& queued)>;

// What one worker did for one instance.
struct Worked {
    std::string host;
    std::string instance;
    std::vector<JobOutcome> jobs;  // in the order they ran
    std::optional<Error> error;    // the queue could not be worked (lock held: Error(lock_held))
};

// Run the instance's queued jobs, oldest first, until none is left: take the
// queue's lock (Error(lock_held) when another worker keeps it past
// `lock_wait`), settle jobs whose worker died, claim each job and run it.
// Throws as the host does; a job's failure is in its outcome.
Worked work_instance(exec::Runner& host, const std::string& state_dir, const std::string& instance,
                     const Prepare& prepare, const WorkOptions& options, exec::Runner& local,
                     events::Reporter& reporter);

// The instances with queued jobs on the host, each once, in order of their
// oldest queued job.
std::vector<std::string> instances_with_queued_jobs(exec::Runner& host, const std::string& state_dir);

}  // namespace calzion::pipeline
