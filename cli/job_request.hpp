#pragma once

// What a pipeline job needs, from the command line: shared by `pipeline run`,
// `pipeline enqueue|work` and `ship`.

#include <string>

#include "deploy/targets.hpp"
#include "exec/runner.hpp"
#include "invocation.hpp"
#include "pipeline/notify.hpp"
#include "pipeline/run.hpp"
#include "pipeline/source.hpp"
#include "tmpl/pipeline.hpp"

namespace calzion::cli {

// Where every command that makes a job starts: its command line with the
// instance named for --instance-suffix (a preview "<instance>-<suffix>";
// Error(usage) for an invalid name), --ref resolved once (through `local`),
// the targets, and the job's host (the instance's builder in the
// infrastructure file, else its first host) and that host's state directory.
struct JobSetup {
    Invocation run;
    pipeline::JobSource source;
    deploy::Targets targets;
    std::string host;
    std::string state_dir;
};
JobSetup job_setup(const Invocation& given, exec::Runner& local);

// The pipeline of a job: the template's `pipeline:` section, else the
// repository's .cion.yml at the job's commit. Without either: for `ship`
// (`for_ship`) a pipeline that only deploys; else Error(invalid_data).
tmpl::Pipeline pipeline_for(const Invocation& run, exec::Runner& local, const pipeline::JobSource& source,
                            bool for_ship = false);

// The notify command of a job: --notify, else the pipeline's. A .cion.yml is
// the commit's, not the user's: its notify would run any commit's command on
// this machine, so it is not run (a note says so).
std::optional<pipeline::NotifyCommand> notify_command(const Invocation& run, const tmpl::Pipeline& pipeline,
                                                      events::Reporter& reporter);

// The request of a job of `run.instance` at `source`: its pipeline (for
// `ship`, its release replaced by a deploy), the deploy of the template at the
// job's commit when the release deploys, and its notify command run through
// `local`, reporting to `reporter`. `state_dir` is the job host's.
pipeline::JobRequest job_request_for(const Invocation& run, exec::Runner& local, pipeline::JobSource source,
                                     bool for_ship, const std::string& state_dir, events::Reporter& reporter);

}  // namespace calzion::cli
