#pragma once

// A job: one run of an instance's pipeline, recorded on the host that runs it
// (`<state_dir>/instances/<instance>/jobs/<number>/job.json`). The host keeps
// the record of what was built, tested and released from which commit.

#include <optional>
#include <string>
#include <vector>

namespace calzion::jobs {

// superseded: a queued job whose release a newer job of the instance made
// needless (its build and tasks ran; JobRecord::superseded_by names the newer).
enum class JobState { queued, running, succeeded, failed, error, canceled, superseded };
enum class StepState { pending, running, succeeded, failed, skipped, canceled, error };

// One to/from-string place each. from_string throws Error(invalid_data) naming
// the value.
std::string to_string(JobState state);
std::string to_string(StepState state);
JobState job_state_from_string(const std::string& text);
StepState step_state_from_string(const std::string& text);
// Whether a job in this state has ended (succeeded, failed, error, canceled, superseded).
bool finished(JobState state);

struct Commit {
    std::string sha;      // full object name
    std::string ref;      // as the user named it: "main", "v1.2", a sha
    std::string repo;     // the repository as the user named it (path or URL)
    std::string message;  // its subject line
};

// Who runs the job: the process on the job's host that holds the job's lock
// while it runs (it dies with calzion or with the connection), and the calzion
// that started it.
struct Worker {
    std::string host;     // the job's host, as calzion names it ("local", "web1")
    int pid = 0;          // the lock holder's pid on that host
    std::string machine;  // where calzion runs
    std::string user;
    int calzion_pid = 0;
};

struct StepRecord {
    std::string name;   // "build", a task's name, "release"
    std::string kind;   // "build", "task", "release", "deploy"
    std::string image;  // empty for a deploy release
    StepState state = StepState::pending;
    std::optional<int> exit_code;
    std::string started;   // UTC ISO 8601, empty until it starts
    std::string finished;  // likewise until it ends
    std::string log;       // the log file, relative to the job's directory: "logs/<name>.log"
    std::string message;   // why it failed, when not an exit code (image missing, canceled, deploy error)
};

struct JobRecord {
    int format = 1;
    std::string id;        // "<instance>.<number>"
    std::string instance;
    int number = 0;
    JobState state = JobState::queued;
    Commit commit;
    std::string created;   // UTC ISO 8601
    std::string started;
    std::string finished;
    Worker worker;
    std::vector<StepRecord> steps;  // build, tasks in file order, release
    std::string pipeline_file;      // where the pipeline was read (template, or ".cion.yml at <sha12>")
    std::string message;            // why the job failed or ended in error
    std::optional<int> revision;    // the revision a deploy release recorded
    // A queued job: what the worker needs to run it.
    std::string template_file;      // the template, as an absolute path where calzion runs
    bool ship = false;              // `ship`: the release is a deploy of the template
    std::string superseded_by;      // the newer job that made this one's release needless

    StepRecord* step(const std::string& name);
    const StepRecord* step(const std::string& name) const;
};

// The JSON of a record (one document, keys as in the struct).
std::string record_to_json(const JobRecord& record);
// Read a record; throws Error(operation_failed) `the job record "<where>" on
// "<host>" cannot be read: <why>`.
JobRecord parse_record(const std::string& text, const std::string& host, const std::string& where);

// "<instance>.<number>" and back; parse_job_id throws Error(usage) for text
// that is not a job id.
std::string job_id(const std::string& instance, int number);
std::pair<std::string, int> parse_job_id(const std::string& id);

}  // namespace calzion::jobs
