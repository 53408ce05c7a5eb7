// pipeline enqueue, pipeline work and ship: the commit-to-deploy loop that
// runs with no one watching, from cron or a webhook.

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <thread>

#include "commands.hpp"
#include "common.hpp"
#include "exec/executor.hpp"
#include "exec/local_runner.hpp"
#include "ops/fan_out.hpp"
#include "job_request.hpp"
#include "jobs/store.hpp"
#include "output/jobs.hpp"
#include "pipeline/queue.hpp"
#include "state/history.hpp"
#include "tmpl/names.hpp"
#include "util/strings.hpp"

namespace calzion::cli {

namespace {

constexpr std::chrono::seconds k_watch_interval{10};

// Prepares each queued job the way the worker's command line says: the
// template and repository its record names, at its commit.
pipeline::Prepare prepare_for(const Invocation& run, exec::Runner& local, const std::string& state_dir,
                              events::Reporter& reporter) {
    return [&run, &local, state_dir, &reporter](const jobs::JobRecord& queued) {
        Invocation scoped = run;
        scoped.template_file = queued.template_file;
        scoped.instance = queued.instance;
        pipeline::JobSource source =
            pipeline::resolve_source(local, queued.commit.repo, queued.commit.sha, queued.template_file);
        source.commit.ref = queued.commit.ref;
        return job_request_for(scoped, local, std::move(source), queued.ship, state_dir, reporter);
    };
}

// The record of a job to queue for `run` at `source`.
jobs::JobRecord queued_record(const Invocation& run, const pipeline::JobSource& source, bool ship) {
    jobs::JobRecord record;
    record.instance = run.instance;
    record.commit = source.commit;
    record.template_file = std::filesystem::absolute(run.template_file).lexically_normal().string();
    record.ship = ship;
    return record;
}

// Why `ship --if-changed` has nothing to do at `sha`, or "" when it has.
std::string nothing_to_do(exec::Runner& host, const std::string& state_dir, const Invocation& run,
                          const std::string& sha) {
    std::string commit = sha.substr(0, 12);
    state::History history = state::read_history(host, state_dir, run.instance);
    if (const state::Revision* current = history.find(history.current_revision)) {
        if (current->git_commit == sha) {
            return "commit " + commit + " is deployed already (revision " + std::to_string(history.current_revision) +
                   ")";
        }
    }
    const jobs::JobRecord* last = nullptr;
    auto found = jobs::list_jobs(host, state_dir, run.instance);
    for (const auto& job : found) {
        last = job.record.ship ? &job.record : last;
    }
    if (last == nullptr || last->commit.sha != sha) {
        return "";
    }
    if (!jobs::finished(last->state)) {
        return "commit " + commit + " is " + jobs::to_string(last->state) + " already, as job " + last->id;
    }
    bool failed = last->state == jobs::JobState::failed || last->state == jobs::JobState::error ||
                  last->state == jobs::JobState::canceled;
    if (failed && !run.retry_failed) {
        return "commit " + commit + " was tried last and " + jobs::to_string(last->state) + " as job " + last->id +
               ": ship --retry-failed tries it again";
    }
    return "";
}

// The exit of a job a command waited for: 0 when it succeeded or a newer job
// made its release needless.
std::optional<Error> error_of(const pipeline::JobOutcome& outcome) {
    if (outcome.record.state == jobs::JobState::superseded) {
        return std::nullopt;
    }
    return outcome.error;
}

}  // namespace

int run_pipeline_enqueue(const Invocation& given) {
    exec::LocalRunner local;
    auto [run, source, targets, host, state_dir] = job_setup(given, local);
    tmpl::Pipeline pipeline = pipeline_for(run, local, source, run.deploy_release);
    std::unique_ptr<exec::Runner> runner = targets.connect().connect(host);
    jobs::JobRecord queued;
    try {
        queued = pipeline::enqueue(*runner, state_dir, queued_record(run, source, run.deploy_release), pipeline.keep);
    } catch (const Error& error) {
        throw error.host().empty() ? error.on_host(host) : error;
    }
    if (run.global.json) {
        print_json(run, output::job_json(host, queued));
    } else {
        std::cout << queued.id << "\n";
    }
    return 0;
}

int run_ship(const Invocation& given) {
    exec::LocalRunner local;
    auto [run, source, targets, host, state_dir] = job_setup(given, local);
    auto reporter = make_reporter(run, {host});
    // Everything that can be checked here is, before anything is queued; its
    // job then runs this request.
    pipeline::JobRequest checked = job_request_for(run, local, source, true, state_dir, *reporter);
    output::Shipped shipped;
    shipped.host = host;
    shipped.instance = run.instance;
    std::optional<Error> error;
    try {
        std::unique_ptr<exec::Runner> runner = targets.connect().connect(host);
        if (run.if_changed) {
            shipped.reason = nothing_to_do(*runner, state_dir, run, source.commit.sha);
        }
        if (shipped.reason.empty()) {
            jobs::JobRecord queued =
                pipeline::enqueue(*runner, state_dir, queued_record(run, source, true), checked.pipeline.keep);
            shipped.job = queued;
            reporter->event({events::Event::Kind::note, host, "", "queued job " + queued.id + " at " +
                                                                      source.commit.sha.substr(0, 12)});
            // Its own job runs the request made above; older queued ones are prepared anew.
            pipeline::Prepare others = prepare_for(run, local, state_dir, *reporter);
            pipeline::Prepare prepare = [&](const jobs::JobRecord& record) {
                return record.id == queued.id ? checked : others(record);
            };
            pipeline::Worked worked = pipeline::work_instance(*runner, state_dir, run.instance, prepare,
                                                              {!run.no_coalesce, 0, "ship"}, local, *reporter);
            for (const auto& outcome : worked.jobs) {
                shipped.ran.push_back(outcome.record);
                if (outcome.record.id == queued.id) {
                    shipped.job = outcome.record;
                    error = error_of(outcome);
                } else if (auto other = error_of(outcome)) {
                    reporter->event({events::Event::Kind::note, host, "", other->message()});
                }
            }
        } else {
            reporter->event({events::Event::Kind::done, host, "", "nothing to ship: " + shipped.reason});
        }
    } catch (const Error& caught) {
        error = caught;
        if (caught.kind() == ErrorKind::lock_held && shipped.job) {
            error = Error(ErrorKind::lock_held, caught.message() + "; job " + shipped.job->id +
                                                    " is queued, and that worker runs it");
        }
    } catch (...) {
        error = exec::current_error();
    }
    reporter->finish();
    if (error && error->host().empty()) {
        error = error->on_host(host);
    }
    return exit_for_host_errors({error}, run, run.global.json ? output::shipped_json(shipped, error) : "");
}

int run_pipeline_work(const Invocation& run) {
    for (const auto& instance : run.instances) {
        tmpl::check_instance_name(instance);
    }
    exec::LocalRunner local;
    deploy::Targets targets = targets_for(run);
    auto reporter = make_reporter(run, targets.hosts_or_local());
    std::vector<output::WorkedHost> results;
    auto connections = deploy::connect_all(targets);
    while (true) {
        results.clear();
        ops::on_each(connections, results, [&](size_t i) {
            exec::Runner& host = *connections[i].runner;
            std::string state_dir = targets.state_dir_for(results[i].host);
            // Only where an instance has queued jobs: a host never gets a queue it has no use for.
            for (const auto& instance : pipeline::instances_with_queued_jobs(host, state_dir)) {
                if (!run.instances.empty() &&
                    std::find(run.instances.begin(), run.instances.end(), instance) == run.instances.end()) {
                    continue;
                }
                try {
                    results[i].worked.push_back(pipeline::work_instance(host, state_dir, instance,
                                                                        prepare_for(run, local, state_dir, *reporter),
                                                                        {!run.no_coalesce, 0}, local, *reporter));
                } catch (const Error& error) {
                    if (error.kind() != ErrorKind::lock_held) {
                        throw;
                    }
                    // Another worker has this queue: it runs what is queued.
                    reporter->event({events::Event::Kind::note, results[i].host, "", error.message()});
                }
            }
        });
        if (run.once) {
            break;
        }
        std::this_thread::sleep_for(k_watch_interval);
    }
    reporter->finish();
    std::vector<std::optional<Error>> errors;
    for (const auto& result : results) {
        errors.push_back(result.error);
        for (const auto& worked : result.worked) {
            for (const auto& outcome : worked.jobs) {
                if (auto error = error_of(outcome)) {
                    errors.push_back(error->host().empty() ? error->on_host(result.host) : *error);
                }
            }
        }
    }
    return exit_for_host_errors(errors, run, run.global.json ? output::worked_json(results) : "");
}

}  // namespace calzion::cli
