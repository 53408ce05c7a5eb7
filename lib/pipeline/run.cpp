#include "pipeline/run.hpp"

#include <atomic>
#include <mutex>
#include <unistd.h>

#include "exec/executor.hpp"
#include "exec/pipe.hpp"
#include "exec/run_checked.hpp"
#include "jobs/entrypoint.hpp"
#include "jobs/step.hpp"
#include "jobs/store.hpp"
#include "pipeline/borrowed_runner.hpp"
#include "util/identity.hpp"
#include "util/strings.hpp"

namespace calzion::pipeline {

namespace {

using jobs::JobState;
using jobs::StepState;

constexpr size_t k_kept_output = 64 * 1024;  // of a step's output, for the message of its failure
constexpr size_t k_failure_lines = 20;

// The job's record, shared by the steps running at once: every change is
// written to the host under the mutex, in the order it happened.
// Each change of state goes to the notifier once written, in order.
class Recorder {
public:
    Recorder(exec::Runner& host, std::string dir, jobs::JobRecord record, Notifier* notifier)
        : m_host(host), m_dir(std::move(dir)), m_record(std::move(record)), m_notifier(notifier) {}

    template <typename Edit>
    void change(Edit edit) {
        std::lock_guard<std::mutex> guard(m_mutex);
        jobs::JobRecord before = m_record;
        edit(m_record);
        jobs::write_record(m_host, m_dir, m_record);
        if (m_notifier != nullptr) {
            for (const auto& changed : changes_between(before, m_record, m_host.host())) {
                m_notifier->notify(changed);
            }
        }
    }
    jobs::JobRecord snapshot() {
        std::lock_guard<std::mutex> guard(m_mutex);
        return m_record;
    }

private:
    exec::Runner& m_host;
    std::string m_dir;
    std::mutex m_mutex;
    jobs::JobRecord m_record;
    Notifier* m_notifier;
};

// Splits streamed output into lines for the progress display.
class Lines {
public:
    explicit Lines(std::function<void(const std::string&)> line) : m_line(std::move(line)) {}
    void add(std::string_view chunk) {
        m_partial.append(chunk);
        size_t start = 0;
        for (size_t end; (end = m_partial.find('\n', start)) != std::string::npos; start = end + 1) {
            m_line(m_partial.substr(start, end - start));
        }
        m_partial.erase(0, start);
    }

private:
    std::function<void(const std::string&)> m_line;
    std::string m_partial;
};

jobs::StepRecord step_record(const tmpl::PipelineStep& step, const std::string& kind) {
    jobs::StepRecord record;
    record.name = step.name;
    record.kind = kind;
    record.image = step.image;
    record.log = "logs/" + step.name + ".log";
    return record;
}

jobs::JobRecord first_record(const JobRequest& request, const jobs::Begun& begun, const std::string& host) {
    jobs::JobRecord record;
    record.instance = request.instance;
    record.number = begun.number;
    record.id = jobs::job_id(request.instance, begun.number);
    record.state = JobState::running;
    record.commit = request.source.commit;
    record.created = record.started = util::utc_now_iso();
    record.worker = {host, begun.holder_pid, util::machine_name(), util::current_user(), static_cast<int>(::getpid())};
    record.pipeline_file = request.pipeline.file;
    const tmpl::Pipeline& pipeline = request.pipeline;
    if (pipeline.build) {
        record.steps.push_back(step_record(*pipeline.build, "build"));
    }
    for (const auto& task : pipeline.tasks) {
        record.steps.push_back(step_record(task, "task"));
    }
    if (pipeline.release) {
        record.steps.push_back(step_record(*pipeline.release, "release"));
    } else if (pipeline.release_deploys) {
        jobs::StepRecord deploy;
        deploy.name = "release";
        deploy.kind = "deploy";
        record.steps.push_back(deploy);
    }
    return record;
}

// What the steps of one job share while they run.
struct Run {
    Run(const JobRequest& request_, exec::Runner& host_, events::Reporter& reporter_, Recorder& recorder_,
        std::string dir_)
        : request(request_), host(host_), reporter(reporter_), recorder(recorder_), dir(std::move(dir_)) {}

    const JobRequest& request;
    exec::Runner& host;
    events::Reporter& reporter;
    Recorder& recorder;
    std::string dir;
    std::atomic<bool> stop{false};   // a step failed or the job was canceled: start no other
    std::atomic<bool> canceled{false};
    std::string superseded_by;       // a newer job made the release needless
    std::mutex failure_mutex;
    std::optional<Error> failure;    // the first step's failure, with its last log lines
    std::string summary;             // that failure in one line, for the record

    void fail(Error error, std::string line) {
        std::lock_guard<std::mutex> guard(failure_mutex);
        if (!failure) {
            failure = std::move(error);
            summary = std::move(line);
        }
    }
};

void report(Run& run, events::Event::Kind kind, const std::string& step, const std::string& text) {
    run.reporter.event({kind, run.host.host(), step, text});
}

// Run one container step and record how it went.
void run_container_step(Run& run, const tmpl::PipelineStep& step, const std::string& kind) {
    if (run.stop) {
        run.recorder.change([&](jobs::JobRecord& record) { record.step(step.name)->state = StepState::skipped; });
        report(run, events::Event::Kind::done, step.name, "skipped");
        return;
    }
    run.recorder.change([&](jobs::JobRecord& record) {
        jobs::StepRecord& entry = *record.step(step.name);
        entry.state = StepState::running;
        entry.started = util::utc_now_iso();
    });
    report(run, events::Event::Kind::step, step.name, "running " + step.image);
    jobs::JobRecord job = run.recorder.snapshot();
    jobs::StepSpec spec{step, kind, run.dir, &job};
    std::string output;
    Lines lines([&](const std::string& line) { report(run, events::Event::Kind::step, step.name, line); });
    jobs::StepEnd end = jobs::run_step(run.host, spec, [&](std::string_view chunk) {
        output.append(chunk);
        if (output.size() > 2 * k_kept_output) {
            output.erase(0, output.size() - k_kept_output);
        }
        lines.add(chunk);
    });
    StepState state = end.canceled                            ? StepState::canceled
                      : end.started && end.exit_code == 0     ? StepState::succeeded
                      : end.started                           ? StepState::failed
                                                              : StepState::error;
    run.recorder.change([&](jobs::JobRecord& record) {
        jobs::StepRecord& entry = *record.step(step.name);
        entry.state = state;
        entry.exit_code = end.exit_code;
        entry.finished = util::utc_now_iso();
        entry.message = end.canceled ? "canceled" : end.message;
    });
    if (state == StepState::succeeded) {
        report(run, events::Event::Kind::done, step.name, "succeeded");
        return;
    }
    run.stop = true;
    if (end.canceled) {
        run.canceled = true;
        report(run, events::Event::Kind::failed, step.name, "canceled");
        return;
    }
    std::string why = end.started ? "failed with exit status " + std::to_string(end.exit_code.value_or(-1))
                                  : "could not start: " + end.message;
    report(run, events::Event::Kind::failed, step.name, why);
    std::string tail = util::last_lines(output, k_failure_lines, "  ");
    std::string summary = "step " + util::quoted(step.name) + " " + why;
    run.fail(Error(ErrorKind::operation_failed,
                   "job " + util::quoted(job.id) + ": " + summary +
                       (tail.empty() ? "; it printed no log lines" : "; its last log lines:\n" + tail)),
             summary);
}

// The release that deploys: the template at the job's commit, to the instance.
void run_deploy_release(Run& run, exec::Runner& host) {
    run.recorder.change([&](jobs::JobRecord& record) {
        jobs::StepRecord& entry = *record.step("release");
        entry.state = StepState::running;
        entry.started = util::utc_now_iso();
    });
    report(run, events::Event::Kind::step, "release", "deploying " + run.request.instance);
    deploy::DeployRequest request = *run.request.deploy;
    request.targets.connector = borrowing_connector(request.targets.connector, host);
    auto outcomes = deploy::deploy_all(request, run.reporter);
    std::vector<std::optional<Error>> errors;
    std::optional<int> revision;
    for (const auto& outcome : outcomes) {
        errors.push_back(outcome.error);
        if (!outcome.error && !revision) {
            revision = outcome.revision_after;
        }
    }
    std::optional<Error> error = deploy::worst_of(errors);
    run.recorder.change([&](jobs::JobRecord& record) {
        jobs::StepRecord& entry = *record.step("release");
        entry.state = error ? StepState::failed : StepState::succeeded;
        entry.finished = util::utc_now_iso();
        entry.message = error ? util::one_line(error->what()) : "";
        record.revision = error ? std::nullopt : revision;
    });
    if (error) {
        report(run, events::Event::Kind::failed, "release", "deploy failed");
        std::string where = error->host().empty() ? "" : error->host() + ": ";
        std::string summary = "the release's deploy failed: " + where + error->message();
        run.fail(Error(error->kind(), "job " + util::quoted(run.recorder.snapshot().id) + ": " + summary), summary);
        return;
    }
    report(run, events::Event::Kind::done, "release",
           "deployed " + run.request.instance + (revision ? " revision " + std::to_string(*revision) : ""));
}

// Send the job's commit into its directory on the host.
void send_source(Run& run, exec::Runner& local) {
    exec::PipeResult sent = exec::pipe(local, exec::command(archive_argv(run.request.source)), run.host,
                                       exec::command(jobs::receive_source_argv(run.dir)));
    if (!sent.ok()) {
        const exec::Result& failed = sent.producer.ok() ? sent.consumer : sent.producer;
        throw Error(ErrorKind::operation_failed, "cannot send commit " + run.request.source.commit.sha.substr(0, 12) +
                                                     " to the job: " + util::one_line(failed.err));
    }
}

// An earlier job of the instance whose calzion died (Ctrl-C, a lost
// connection) is recorded error and its containers go before this one
// begins, so that they never run side by side with it. Best effort: a record
// that cannot be read must not keep every later job from running.
void settle_earlier_jobs(const JobRequest& request, exec::Runner& host) {
    try {
        jobs::list_jobs(host, request.state_dir, request.instance);
    } catch (const Error&) {
        // `calzion jobs` reports it.
    }
}

JobState final_state(const Run& run, const std::optional<Error>& broke) {
    if (broke) {
        return JobState::error;
    }
    if (run.canceled) {
        return JobState::canceled;
    }
    if (run.failure) {
        return JobState::failed;
    }
    return run.superseded_by.empty() ? JobState::succeeded : JobState::superseded;
}

}  // namespace

JobOutcome run_job(const JobRequest& request, exec::Runner& host, exec::Runner& local, events::Reporter& reporter) {
    settle_earlier_jobs(request, host);
    jobs::Begun begun = jobs::begin_job(host, request.state_dir, request.instance, request.pipeline.keep);
    jobs::JobRecord queued = first_record(request, begun, host.host());
    queued.state = jobs::JobState::queued;  // so that the first write tells the notifier the job runs
    return run_claimed(request, host, local, reporter, std::move(begun), queued);
}

JobOutcome run_claimed(const JobRequest& request, exec::Runner& host, exec::Runner& local, events::Reporter& reporter,
                       jobs::Begun begun, const jobs::JobRecord& queued) {
    JobOutcome outcome;
    outcome.host = host.host();
    jobs::JobRecord first = first_record(request, begun, host.host());
    first.created = queued.created.empty() ? first.created : queued.created;
    first.commit.ref = queued.commit.ref.empty() ? first.commit.ref : queued.commit.ref;
    first.template_file = queued.template_file;
    first.ship = queued.ship;
    Recorder recorder(host, begun.dir, queued, request.notifier.get());
    recorder.change([&](jobs::JobRecord& record) { record = first; });
    reporter.event({events::Event::Kind::note, host.host(), "",
                    "job " + jobs::job_id(request.instance, begun.number) + ": " +
                        request.source.commit.sha.substr(0, 12) + " (" + request.source.commit.ref + ")"});
    Run run(request, host, reporter, recorder, begun.dir);
    std::optional<Error> broke;
    try {
        const tmpl::Pipeline& pipeline = request.pipeline;
        if (pipeline.build || !pipeline.tasks.empty()) {
            report(run, events::Event::Kind::step, "source", "sending " + request.source.commit.sha.substr(0, 12));
            send_source(run, local);
            report(run, events::Event::Kind::done, "source", "sent");
        }
        exec::TaskGraph graph;
        if (pipeline.build) {
            graph.add([&] { run_container_step(run, *pipeline.build, "build"); });
        }
        for (const auto& task : pipeline.tasks) {
            graph.add([&run, &task] { run_container_step(run, task, "task"); });
        }
        for (const auto& ended : graph.run(static_cast<size_t>(pipeline.parallel))) {
            if (!ended.ok() && ended.error) {
                throw *ended.error;
            }
        }
        std::string newer = !run.stop && request.superseded_by ? request.superseded_by() : "";
        if (pipeline.release || pipeline.release_deploys) {
            if (run.stop) {
                recorder.change([](jobs::JobRecord& record) { record.step("release")->state = StepState::skipped; });
                report(run, events::Event::Kind::done, "release", "skipped");
            } else if (!newer.empty()) {
                run.superseded_by = newer;
                recorder.change([&](jobs::JobRecord& record) {
                    record.step("release")->state = StepState::skipped;
                    record.step("release")->message = "superseded by job " + newer;
                });
                report(run, events::Event::Kind::done, "release", "superseded by job " + newer);
            } else if (pipeline.release) {
                run_container_step(run, *pipeline.release, "release");
            } else {
                run_deploy_release(run, host);
            }
        }
    } catch (...) {
        broke = exec::current_error();
    }
    try {
        recorder.change([&](jobs::JobRecord& record) {
            record.state = final_state(run, broke);
            record.finished = util::utc_now_iso();
            record.superseded_by = record.state == JobState::superseded ? run.superseded_by : "";
            if (broke) {
                record.message = util::one_line(broke->what());
            } else if (run.failure) {
                record.message = util::one_line(run.summary);
            }
            for (auto& step : record.steps) {
                if (step.state == StepState::pending || step.state == StepState::running) {
                    step.state = broke ? StepState::error : StepState::skipped;
                }
            }
        });
        jobs::tidy_job(host, begun.dir);
    } catch (...) {
        broke = broke ? broke : exec::current_error();
    }
    begun.lock.reset();
    outcome.record = recorder.snapshot();
    if (broke) {
        outcome.error = Error(broke->kind(), "job " + util::quoted(outcome.record.id) + ": " + broke->message());
    } else if (run.canceled) {
        outcome.error = Error(ErrorKind::operation_failed, "job " + util::quoted(outcome.record.id) + " was canceled");
    } else {
        outcome.error = run.failure;
    }
    return outcome;
}

}  // namespace calzion::pipeline
