#pragma once

// The jobs of an instance on a host: `<state_dir>/instances/<instance>/jobs/<n>/`
// with `job.json` (the record), `state` (the job's state word, for scripts),
// `logs/<step>.log`, `steps/<step>.sh`, `artifacts/`, and while it runs
// `source.tar`, `work/<step>/` (each step's checkout), `lock/` (held by the
// worker, state/lock.hpp) and `cancel` (asked to stop). Every script takes the
// state directory like the record store's (state/state_dir_script.hpp).

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "exec/runner.hpp"
#include "jobs/record.hpp"
#include "state/lock.hpp"

namespace calzion::jobs {

// A job begun on a host and held by this calzion until release() or
// destruction (or until calzion or the connection dies).
struct Begun {
    int number = 0;
    std::string dir;   // the job's directory, absolute
    int holder_pid = 0;  // the lock holder on the host: Worker::pid
    std::unique_ptr<state::Lock> lock;
};

// In one round trip: make the instance's next job directory (numbers only
// grow: the highest existing plus one, taken with mkdir), take its lock, and
// remove the oldest finished jobs beyond `keep` (running ones stay). Throws
// Error(permission) when the state directory cannot be written,
// Error(operation_failed) otherwise.
Begun begin_job(exec::Runner& host, const std::string& state_dir, const std::string& instance, int keep);

// Claim the queued job `number` of `instance` for this worker: take its lock
// (held like begin_job's) when it is still queued and no other worker has it.
// nullopt when another worker has it or it is queued no more. Throws
// Error(operation_failed) when the host cannot be asked.
std::optional<Begun> claim_job(exec::Runner& host, const std::string& state_dir, const std::string& instance,
                               int number);

// Take the lock of the instance's queue, so that one worker at a time runs
// its queued jobs, waiting up to `wait_seconds`. Throws Error(lock_held)
// naming the worker that holds it, Error(permission) when the state directory
// cannot be written.
// `command` ("pipeline work", "ship") goes into the lock's owner record.
std::unique_ptr<state::Lock> take_queue_lock(exec::Runner& host, const std::string& state_dir,
                                             const std::string& instance, int wait_seconds,
                                             const std::string& command = "pipeline work");

// Write the record (and the `state` file) atomically, temp + rename.
void write_record(exec::Runner& host, const std::string& job_dir, const JobRecord& record);

// The argv that reads a tar stream on stdin into the job's source.tar
// (atomically), for exec::pipe from `git archive`.
std::vector<std::string> receive_source_argv(const std::string& job_dir);

// Remove what only a running job needs: source.tar, work/. Artifacts, logs and
// the record stay.
void tidy_job(exec::Runner& host, const std::string& job_dir);

// A job as found on a host.
struct Found {
    JobRecord record;
    std::string dir;
    bool worker_alive = false;  // its lock is held by a live process
};

// Every job of `instance` (all instances when empty) on the host, oldest first,
// in one round trip; a job whose record says running but whose worker
// is gone is marked `error` ("its worker is gone (pid N on <host>)"), with its
// running steps, and its containers are removed (a second round trip, only
// then). Throws Error(operation_failed) naming the record when one cannot be
// read.
std::vector<Found> list_jobs(exec::Runner& host, const std::string& state_dir, const std::string& instance);

// One job by id, settled as list_jobs does; nullopt when the host has no such job.
std::optional<Found> find_job(exec::Runner& host, const std::string& state_dir, const std::string& id);

// The argv that prints a step's log (every step's, in record order, each after
// a "==> <step> <==" line, when `step` is empty); with `follow`, it keeps
// printing as the log grows until the job's worker (pid) ends.
std::vector<std::string> log_argv(const Found& job, const std::string& step, bool follow);

// Ask a job to stop: mark it `cancel`, remove its containers. When its worker
// is gone, record it canceled here; otherwise wait (up to `wait_seconds`) for
// the worker to record it. Returns the record as it then stands.
JobRecord cancel_job(exec::Runner& host, const Found& job, int wait_seconds);

}  // namespace calzion::jobs
