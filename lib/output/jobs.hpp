#pragma once

// What `pipeline run`, `jobs`, `job show` and `job cancel` print.

#include <optional>
#include <string>
#include <vector>

#include "jobs/record.hpp"
#include "pipeline/queries.hpp"
#include "pipeline/queue.hpp"
#include "pipeline/run.hpp"

namespace calzion::output {

// "build ok, lint failed (exit 2), unit ok, release skipped".
std::string steps_summary(const jobs::JobRecord& record);

// One line per job: host, id, state, commit, ref, start, steps.
std::string jobs_text(const std::vector<pipeline::HostJobs>& hosts, bool color);
// {"jobs": [{"host": ..., <record>...}], "hosts": [{"host", "error"}]}
std::string jobs_json(const std::vector<pipeline::HostJobs>& hosts);

// A job's record for people: id, state, commit, worker, times, each step.
std::string job_text(const std::string& host, const jobs::JobRecord& record, bool color);
// {"host": ..., "job": <record>, "hosts": [{"host", "error"}]}, `error` the job's.
std::string job_json(const std::string& host, const jobs::JobRecord& record,
                     const std::optional<Error>& error = std::nullopt);

// What `ship` did: the job it queued and how it ended, or why there was
// nothing to do, and every job it ran on the way (older queued ones too).
struct Shipped {
    std::string host;
    std::string instance;
    std::string reason;                   // nothing to do: why
    std::optional<jobs::JobRecord> job;   // the job it queued
    std::vector<jobs::JobRecord> ran;     // every job it ran, in order
};
// {"host", "instance", "shipped", "reason", "job", "ran", "hosts"}
std::string shipped_json(const Shipped& shipped, const std::optional<Error>& error);

// What `pipeline work` did on one host.
struct WorkedHost {
    std::string host;
    std::vector<pipeline::Worked> worked;  // per instance whose queue it worked
    std::optional<Error> error;
};
// {"jobs": [{"host", <record>...}], "hosts": [{"host", "error"}]}
std::string worked_json(const std::vector<WorkedHost>& hosts);

// `job logs --json`: {"host", "id", "step" (null for every step), "log"}
std::string job_log_json(const std::string& host, const std::string& id, const std::string& step,
                         const std::string& log);

// `pipeline validate --json`: {"file": ..., "valid": true}
std::string pipeline_valid_json(const std::string& file);

}  // namespace calzion::output
