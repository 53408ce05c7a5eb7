#pragma once

// Running one job of an instance's pipeline on its job host:
//
//   settle     earlier jobs whose calzion died are recorded error, their containers gone
//   begin      a numbered job directory and its lock (jobs::begin_job); the record
//   source     `git archive` of the job's commit, streamed into the job's directory
//   steps      build and tasks, each its own container on its own checkout, at
//              most `parallel` at once; a failure lets the running ones end and
//              starts no other
//   release    after every step passed: the release container, or a deploy of
//              the template at the job's commit (with the instance's lock and a
//              revision, like `calzion deploy`)
//   end        the record's final state; the checkouts go, logs and artifacts stay
//
// Every change of a step is written to the record on the host as it happens.

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "deploy/deploy.hpp"
#include "events/reporter.hpp"
#include "exec/runner.hpp"
#include "jobs/record.hpp"
#include "jobs/store.hpp"
#include "pipeline/notify.hpp"
#include "pipeline/source.hpp"
#include "tmpl/pipeline.hpp"

namespace calzion::pipeline {

struct JobRequest {
    tmpl::Pipeline pipeline;
    JobSource source;
    std::string instance;
    std::string state_dir;  // on the job's host; empty: its default
    // Set when the release deploys: the deploy of the template at the job's commit.
    std::optional<deploy::DeployRequest> deploy;
    // Told about every change of the job's and its steps' states, in order; none: nobody.
    std::shared_ptr<Notifier> notifier;
    // Asked once the build and tasks passed, before the release: the id of a
    // newer job whose release makes this one's needless (the job is then
    // recorded superseded and its release skipped), or "" to release.
    std::function<std::string()> superseded_by;
};

struct JobOutcome {
    std::string host;
    jobs::JobRecord record;         // as last written (id empty when the job never began)
    std::optional<Error> error;     // the job did not succeed: a step failed, or calzion could not go on
};

// Run the job on `host` (the job host), reporting each step as events on the
// host with the step as "service". `local` runs git here. Never throws for a
// failed step; the outcome's error says which step failed and shows its last
// log lines (Error(operation_failed)), or why the job could not run.
JobOutcome run_job(const JobRequest& request, exec::Runner& host, exec::Runner& local, events::Reporter& reporter);

// Run a queued job that this worker claimed (`begun`, jobs::claim_job), whose
// record as queued is `queued`: like run_job from there.
JobOutcome run_claimed(const JobRequest& request, exec::Runner& host, exec::Runner& local, events::Reporter& reporter,
                       jobs::Begun begun, const jobs::JobRecord& queued);

}  // namespace calzion::pipeline
