#pragma once

// The host side of the job store: constant POSIX sh scripts (sh and coreutils,
// and docker to remove a job's containers), each run as `sh -c SCRIPT calzion
// ARGS...`. Sections of their output start with "@@calzion ".

#include <string>
#include <vector>

namespace calzion::jobs {

// Make instance $2's next job directory, lock it for owner record $4, print
// "@@calzion locked", the sections "dir" (absolute) and "pid" (the holder),
// prune finished jobs beyond the newest $3, print "@@calzion end", then hold the
// lock until stdin closes. Exits $calzion_denied when the state directory
// cannot be written.
std::vector<std::string> begin_job_argv(const std::string& state_dir, const std::string& instance, int keep,
                                        const std::string& owner);

// Write the record on stdin to <dir>/job.json and the state word to <dir>/state,
// each through a temporary file and a rename.
// Claim queued job `number`: take its lock and hold it like begin_job_argv,
// or answer "@@calzion taken" (exit 1) when another worker has it or it is
// queued no more.
std::vector<std::string> claim_job_argv(const std::string& state_dir, const std::string& instance, int number,
                                        const std::string& owner);

// Take the lock of the instance's queue (jobs/queue/lock), waiting up to
// `wait_seconds`, and hold it until stdin closes.
std::vector<std::string> queue_lock_argv(const std::string& state_dir, const std::string& instance,
                                         const std::string& owner, int wait_seconds);

std::vector<std::string> write_record_argv(const std::string& job_dir, const std::string& state);

// write_record_argv, then remove every container labelled with job `id`.
std::vector<std::string> settle_argv(const std::string& job_dir, const std::string& state, const std::string& id);

// Remove what only a running job needs.
std::vector<std::string> tidy_argv(const std::string& job_dir);

// Print a section "job <instance> <number>" per job that has a record: its
// directory on the first line, the pid of its live worker (0 when none) on the
// second, then its record. All instances when `instance` is empty; only job
// `number` when it is not 0.
std::vector<std::string> list_jobs_argv(const std::string& state_dir, const std::string& instance, int number);

// Print the logs of the given (step, log file) pairs, each after a
// "==> <step> <==" line when `headers`; a missing log prints nothing.
std::vector<std::string> print_logs_argv(const std::vector<std::pair<std::string, std::string>>& logs,
                                         bool headers);

// Mark job `id` in `job_dir` canceled, remove its containers, wait up to
// `wait_seconds` while its worker lives and its state is unfinished, then print
// the sections "alive" (the worker's pid, or nothing) and "record".
std::vector<std::string> cancel_argv(const std::string& job_dir, const std::string& id, int wait_seconds);

}  // namespace calzion::jobs
