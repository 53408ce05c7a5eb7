#include "jobs/store.hpp"

#include <algorithm>
#include <iterator>
#include <sstream>

#include "exec/run_checked.hpp"
#include "exec/script_status.hpp"
#include "jobs/store_scripts.hpp"
#include "state/sections.hpp"
#include "tmpl/names.hpp"
#include "util/error.hpp"
#include "util/identity.hpp"
#include "util/strings.hpp"

namespace calzion::jobs {

namespace {

// The reply to a begin_job script that has no lock: why not.
[[noreturn]] void fail_begin(const exec::Result& result, const std::string& instance) {
    if (result.exit_code == exec::k_status_denied) {
        throw Error(ErrorKind::permission, "cannot write the state directory on the host: permission denied (" +
                                               util::one_line(state::trimmed(state::sections_of(result.out)["denied"])) +
                                               ")");
    }
    std::string detail = util::one_line(result.err);
    throw Error(ErrorKind::operation_failed, "cannot begin a job of instance " + util::quoted(instance) +
                                                 " on the host: " +
                                                 (detail.empty() ? "exit " + std::to_string(result.exit_code) : detail));
}

// One "job <instance> <number>" section of list_jobs_argv: the directory, the
// live worker's pid (0 when none), then the record.
Found found_in(const std::string& text, const std::string& host) {
    std::istringstream lines(text);
    std::string dir;
    std::string pid;
    std::getline(lines, dir);
    std::getline(lines, pid);
    std::string record(std::istreambuf_iterator<char>(lines), {});
    Found found;
    found.dir = dir;
    found.worker_alive = state::number_in(pid) > 0;
    found.record = parse_record(record, host, dir + "/job.json");
    return found;
}

// Record a job whose worker is gone as ended by `state`, its running steps
// as `running_to` and its pending ones as `pending_to`, and remove its
// containers and checkouts. The record stays as it was when that fails.
void settle(exec::Runner& host, Found& job, JobState state, const std::string& message, StepState running_to,
            StepState pending_to) {
    JobRecord record = job.record;
    std::string now = util::utc_now_iso();
    record.state = state;
    record.message = message;
    record.finished = now;
    for (auto& step : record.steps) {
        if (step.state == StepState::running) {
            step.finished = now;
            step.state = running_to;
            step.message = message;
        } else if (step.state == StepState::pending) {
            step.state = pending_to;
            step.message = message;
        }
    }
    exec::run_checked(host, settle_argv(job.dir, to_string(record.state), record.id),
                      "recording job " + util::quoted(record.id) + " " + to_string(state), record_to_json(record) + "\n");
    job.record = std::move(record);
}

// A job recorded running whose worker is gone ended in error. A queued job
// has no worker until one claims it.
void settle_if_orphaned(exec::Runner& host, Found& job) {
    if (job.record.state != JobState::running || job.worker_alive) {
        return;
    }
    const std::string& where = job.record.worker.host.empty() ? host.host() : job.record.worker.host;
    std::string message = "its worker is gone (pid " + std::to_string(job.record.worker.pid) + " on " + where + ")";
    settle(host, job, JobState::error, message, StepState::error, StepState::skipped);
}

std::vector<Found> read_jobs(exec::Runner& host, const std::string& state_dir, const std::string& instance,
                             int number) {
    exec::Result result = exec::run_checked(host, list_jobs_argv(state_dir, instance, number), "reading the jobs");
    std::vector<std::pair<std::pair<std::string, int>, Found>> keyed;
    for (const auto& [name, text] : state::sections_of(result.out)) {
        std::istringstream words(name);
        std::string kind;
        std::string owner;
        int at = 0;
        if (!(words >> kind >> owner >> at) || kind != "job") {
            continue;
        }
        keyed.push_back({{owner, at}, found_in(text, host.host())});
    }
    std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<Found> jobs;
    for (auto& [key, found] : keyed) {
        settle_if_orphaned(host, found);
        jobs.push_back(std::move(found));
    }
    return jobs;
}

std::string log_of(const Found& job, const StepRecord& step) {
    return job.dir + "/" + (step.log.empty() ? "logs/" + step.name + ".log" : step.log);
}

}  // namespace

Begun begin_job(exec::Runner& host, const std::string& state_dir, const std::string& instance, int keep) {
    tmpl::check_instance_name(instance);
    state::LockAnswer answer = state::take_lock(
        host, exec::command(begin_job_argv(state_dir, instance, std::max(0, keep), state::owner_line("pipeline"))),
        0);
    if (!answer.lock) {
        fail_begin(answer.result, instance);
    }
    auto sections = state::sections_of(answer.output);
    Begun begun;
    begun.dir = state::trimmed(sections["dir"]);
    begun.holder_pid = state::number_in(sections["pid"]);
    std::string name = begun.dir.substr(begun.dir.rfind('/') + 1);
    begun.number = state::number_in(name);
    begun.lock = std::move(answer.lock);
    if (begun.number <= 0 || begun.holder_pid <= 0) {
        throw Error(ErrorKind::operation_failed, "cannot begin a job of instance " + util::quoted(instance) +
                                                     " on the host: it answered " + util::quoted(answer.output));
    }
    return begun;
}

std::optional<Begun> claim_job(exec::Runner& host, const std::string& state_dir, const std::string& instance,
                               int number) {
    state::LockAnswer answer =
        state::take_lock(host, exec::command(claim_job_argv(state_dir, instance, number, state::owner_line("pipeline work"))), 0);
    if (!answer.lock) {
        if (answer.result.out.find("@@calzion taken") != std::string::npos) {
            return std::nullopt;
        }
        fail_begin(answer.result, instance);
    }
    auto sections = state::sections_of(answer.output);
    Begun begun;
    begun.number = number;
    begun.dir = state::trimmed(sections["dir"]);
    begun.holder_pid = state::number_in(sections["pid"]);
    begun.lock = std::move(answer.lock);
    return begun;
}

std::unique_ptr<state::Lock> take_queue_lock(exec::Runner& host, const std::string& state_dir,
                                             const std::string& instance, int wait_seconds,
                                             const std::string& command) {
    tmpl::check_instance_name(instance);
    state::LockAnswer answer = state::take_lock(
        host, exec::command(queue_lock_argv(state_dir, instance, state::owner_line(command), wait_seconds)),
        wait_seconds);
    if (answer.lock) {
        return std::move(answer.lock);
    }
    if (answer.result.exit_code == exec::k_status_lock_held) {
        throw Error(ErrorKind::lock_held,
                    "the queue of instance " + util::quoted(instance) + " is worked by " +
                        state::describe_owner(state::trimmed(state::sections_of(answer.result.out)["held"])));
    }
    fail_begin(answer.result, instance);
}

void write_record(exec::Runner& host, const std::string& job_dir, const JobRecord& record) {
    exec::run_checked(host, write_record_argv(job_dir, to_string(record.state)),
                      "writing the record of job " + util::quoted(record.id), record_to_json(record) + "\n");
}

void tidy_job(exec::Runner& host, const std::string& job_dir) {
    exec::run_checked(host, tidy_argv(job_dir), "tidying the job in " + util::quoted(job_dir));
}

std::vector<Found> list_jobs(exec::Runner& host, const std::string& state_dir, const std::string& instance) {
    if (!instance.empty()) {
        tmpl::check_instance_name(instance);
    }
    return read_jobs(host, state_dir, instance, 0);
}

std::optional<Found> find_job(exec::Runner& host, const std::string& state_dir, const std::string& id) {
    auto [instance, number] = parse_job_id(id);
    std::vector<Found> jobs = read_jobs(host, state_dir, instance, number);
    if (jobs.empty()) {
        return std::nullopt;
    }
    return std::move(jobs.front());
}

std::vector<std::string> log_argv(const Found& job, const std::string& step, bool follow) {
    std::vector<std::pair<std::string, std::string>> logs;
    if (step.empty()) {
        for (const auto& each : job.record.steps) {
            logs.push_back({each.name, log_of(job, each)});
        }
    } else {
        const StepRecord* found = job.record.step(step);
        if (!found) {
            std::vector<std::string> names;
            for (const auto& each : job.record.steps) {
                names.push_back(each.name);
            }
            throw Error(ErrorKind::usage, "job " + util::quoted(job.record.id) + " has no step " + util::quoted(step) +
                                              "; its steps: " + util::comma_list(names));
        }
        logs.push_back({found->name, log_of(job, *found)});
    }
    if (follow && job.worker_alive && job.record.worker.pid > 0) {
        std::vector<std::string> argv = {"tail", "-n", "+1", "-F", "--pid=" + std::to_string(job.record.worker.pid)};
        for (const auto& [name, file] : logs) {
            argv.push_back(file);
        }
        return argv;
    }
    return print_logs_argv(logs, step.empty());
}

JobRecord cancel_job(exec::Runner& host, const Found& job, int wait_seconds) {
    if (finished(job.record.state)) {
        throw Error(ErrorKind::usage, "job " + util::quoted(job.record.id) + " has already finished: " +
                                          to_string(job.record.state));
    }
    exec::Result result = exec::run_checked(host, cancel_argv(job.dir, job.record.id, std::max(0, wait_seconds)),
                                            "canceling job " + util::quoted(job.record.id));
    auto sections = state::sections_of(result.out);
    Found now;
    now.dir = job.dir;
    now.worker_alive = state::number_in(sections["alive"]) > 0;
    now.record = parse_record(sections["record"], host.host(), job.dir + "/job.json");
    if (!finished(now.record.state) && !now.worker_alive) {
        settle(host, now, JobState::canceled, "canceled", StepState::canceled, StepState::canceled);
    }
    return now.record;
}

}  // namespace calzion::jobs
