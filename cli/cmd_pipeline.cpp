// pipeline validate, pipeline run, jobs, job show/logs/cancel: a commit's way
// to a tested build and a release, and the records of it on the hosts.

#include <iostream>
#include <unistd.h>

#include "commands.hpp"
#include "common.hpp"
#include "deploy_request.hpp"
#include "job_request.hpp"
#include "exec/executor.hpp"
#include "exec/local_runner.hpp"
#include "jobs/store.hpp"
#include "output/jobs.hpp"
#include "pipeline/queries.hpp"
#include "pipeline/run.hpp"
#include "pipeline/source.hpp"
#include "terminal.hpp"
#include "tmpl/names.hpp"
#include "tmpl/pipeline.hpp"
#include "util/fs.hpp"
#include "util/strings.hpp"

namespace calzion::cli {

namespace {

constexpr int k_cancel_wait_seconds = 60;

// The command line of a job command, its instance taken from the job id so
// that the infrastructure file picks the instance's hosts.
Invocation for_job(const Invocation& run) {
    Invocation scoped = run;
    scoped.instance = jobs::parse_job_id(run.job_id).first;
    return scoped;
}

}  // namespace

int run_pipeline_validate(const Invocation& run) {
    tmpl::load_pipeline(run.template_file, util::read_file(run.template_file));
    if (run.global.json) {
        print_json(run, output::pipeline_valid_json(run.template_file));
    } else if (!run.global.quiet) {
        std::cout << run.template_file << ": the pipeline is valid\n";
    }
    return 0;
}

int run_pipeline_run(const Invocation& given) {
    exec::LocalRunner local;
    auto [run, source, targets, host, state_dir] = job_setup(given, local);
    auto reporter = make_reporter(run, {host});
    pipeline::JobRequest request = job_request_for(run, local, std::move(source), false, state_dir, *reporter);
    pipeline::JobOutcome outcome;
    outcome.host = host;
    std::optional<Error> error;
    try {
        std::unique_ptr<exec::Runner> runner = targets.connect().connect(host);
        outcome = pipeline::run_job(request, *runner, local, *reporter);
        error = outcome.error;
    } catch (...) {
        error = exec::current_error();
    }
    reporter->finish();
    if (error && error->host().empty()) {
        error = error->on_host(host);
    }
    std::string output;
    if (run.global.json && !outcome.record.id.empty()) {
        output = output::job_json(host, outcome.record, error);
    }
    return exit_for_host_errors({error}, run, output);
}

int run_jobs(const Invocation& run) {
    auto hosts = pipeline::jobs_all(targets_for(run), run.instance);
    return finish_per_host(hosts, run,
                           run.global.json ? output::jobs_json(hosts)
                                           : output::jobs_text(hosts, use_color(run.global.color, STDOUT_FILENO)));
}

int run_job_show(const Invocation& run) {
    Invocation scoped = for_job(run);
    pipeline::with_job(targets_for(scoped), run.job_id, [&](const pipeline::JobOnHost& found, exec::Runner&) {
        if (run.global.json) {
            print_json(run, output::job_json(found.host, found.job.record));
        } else {
            std::cout << output::job_text(found.host, found.job.record, use_color(run.global.color, STDOUT_FILENO));
        }
    });
    return 0;
}

int run_job_logs(const Invocation& run) {
    if (run.global.json && run.follow) {
        throw Error(ErrorKind::usage, "job logs --follow prints the log as it comes, not one JSON document: "
                                      "leave out --json or --follow");
    }
    Invocation scoped = for_job(run);
    pipeline::with_job(targets_for(scoped), run.job_id, [&](const pipeline::JobOnHost& found, exec::Runner& host) {
        if (run.global.json) {
            std::string log;
            pipeline::stream_log(host, found.job, run.step, false, [&](std::string_view chunk) { log.append(chunk); });
            print_json(run, output::job_log_json(found.host, run.job_id, run.step, log));
            return;
        }
        pipeline::stream_log(host, found.job, run.step, run.follow, [](std::string_view chunk) {
            std::cout.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
            std::cout.flush();
        });
    });
    return 0;
}

int run_job_cancel(const Invocation& run) {
    Invocation scoped = for_job(run);
    pipeline::with_job(targets_for(scoped), run.job_id, [&](const pipeline::JobOnHost& found, exec::Runner& host) {
        jobs::JobRecord record = jobs::cancel_job(host, found.job, k_cancel_wait_seconds);
        if (run.global.json) {
            print_json(run, output::job_json(found.host, record));
        } else if (!run.global.quiet) {
            std::cerr << "job " << record.id << " on " << found.host << ": " << jobs::to_string(record.state) << "\n";
        }
    });
    return 0;
}

}  // namespace calzion::cli
