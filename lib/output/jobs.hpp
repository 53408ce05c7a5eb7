#pragma once

// What `pipeline run`, `jobs`, `job show` and `job cancel` print.

#include <string>
#include <vector>

#include "jobs/record.hpp"
#include "pipeline/queries.hpp"
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
// {"host": ..., "job": <record>}
std::string job_json(const std::string& host, const jobs::JobRecord& record);

// `job logs --json`: {"host", "id", "step" (null for every step), "log"}
std::string job_log_json(const std::string& host, const std::string& id, const std::string& step,
                         const std::string& log);

// `pipeline validate --json`: {"file": ..., "valid": true}
std::string pipeline_valid_json(const std::string& file);

}  // namespace calzion::output
