// pipeline validate, pipeline run, jobs, job show/logs/cancel: a commit's way
// to a tested build and a release, and the records of it on the hosts.

#include <iostream>
#include <unistd.h>

#include "commands.hpp"
#include "common.hpp"
#include "deploy_request.hpp"
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

constexpr const char* k_pipeline_file = ".cion.yml";
constexpr int k_cancel_wait_seconds = 60;

// The pipeline of a job: the template's `pipeline:` section, else the
// repository's .cion.yml at the job's commit.
tmpl::Pipeline pipeline_for(const Invocation& run, exec::Runner& local, const pipeline::JobSource& source) {
    std::string text = util::read_file(run.template_file);
    if (tmpl::pipeline_section(tmpl::load_document(run.template_file, text)) != nullptr) {
        return tmpl::load_pipeline(run.template_file, text);
    }
    std::string file = std::string(k_pipeline_file) + "@" + source.commit.sha.substr(0, 12);
    std::optional<std::string> cion = pipeline::file_at(local, source, k_pipeline_file);
    if (!cion) {
        throw Error(ErrorKind::invalid_data, run.template_file + ": no pipeline: the template has no \"pipeline:\" "
                                                 "section and " + util::quoted(source.commit.repo) + " has no " +
                                                 k_pipeline_file + " at " + source.commit.sha.substr(0, 12));
    }
    return tmpl::load_pipeline(file, *cion);
}

// The notify command of a job: --notify, else the pipeline's. A .cion.yml is
// the commit's, not the user's: its notify would run any commit's command on
// this machine, so it is not run.
std::optional<pipeline::NotifyCommand> notify_command(const Invocation& run, const tmpl::Pipeline& pipeline,
                                                      events::Reporter& reporter) {
    std::chrono::seconds timeout(pipeline.notify_timeout);
    if (!run.notify.empty()) {
        return pipeline::NotifyCommand{{run.notify}, timeout};
    }
    if (pipeline.notify.empty()) {
        return std::nullopt;
    }
    if (util::starts_with(pipeline.file, k_pipeline_file)) {
        reporter.event({events::Event::Kind::note, "", "",
                        "the notify of " + std::string(k_pipeline_file) + " is not run: a commit's file runs "
                        "nothing on this machine; give --notify, or notify in the template's pipeline"});
        return std::nullopt;
    }
    return pipeline::NotifyCommand{pipeline.notify, timeout};
}

// Where an instance's jobs run: its builder in the infrastructure file, else
// its first host.
std::string job_host(const Invocation& run, const deploy::Targets& targets) {
    if (const auto& infrastructure = infrastructure_for(run)) {
        if (const infra::Instance* instance = infrastructure->instance(run.instance)) {
            if (!instance->builder.empty()) {
                return instance->builder;
            }
        }
    }
    return targets.hosts_or_local().front();
}

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

int run_pipeline_run(const Invocation& run) {
    tmpl::check_instance_name(run.instance);
    exec::LocalRunner local;
    pipeline::JobRequest request;
    request.source = pipeline::resolve_source(local, run.repo, run.ref, run.template_file);
    request.pipeline = pipeline_for(run, local, request.source);
    request.instance = run.instance;
    if (request.pipeline.release_deploys) {
        request.deploy = deploy_request_for(run, {false, images::Checkout{request.source.repository,
                                                                           request.source.commit.sha}});
        request.deploy->git_commit = request.source.commit.sha;
        request.deploy->apply.wait_timeout = run.wait_timeout;
    }
    deploy::Targets targets = targets_for(run);
    std::string host = job_host(run, targets);
    request.state_dir = targets.state_dir_for(host);
    auto reporter = make_reporter(run, {host});
    std::optional<pipeline::CommandNotifier> notifier;
    if (auto command = notify_command(run, request.pipeline, *reporter)) {
        notifier.emplace(local, std::move(*command), *reporter);
        request.notifier = &*notifier;
    }
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
