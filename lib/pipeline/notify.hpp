#pragma once

// Telling the world about a job: a `notify` command that runs on this machine
// on every change of a job's or a step's state, with the job's record on its
// stdin and what changed in its environment, so that a user can post a commit
// status to a forge (examples/notify/).

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "events/reporter.hpp"
#include "exec/runner.hpp"
#include "jobs/record.hpp"

namespace calzion::pipeline {

// One change of state: of the job (step empty), or of one of its steps.
struct Change {
    jobs::JobRecord record;  // the record after the change
    std::string host;        // the job's host
    std::string step;        // empty: the job's own state changed
    std::string prev_state;  // the job's (or the step's) state before, "" for a new job
};

// The environment of the notify command for `change`: CALZION_JOB_ID,
// CALZION_JOB_STATE, CALZION_JOB_PREV_STATE, CALZION_STEP, CALZION_STEP_STATE,
// CALZION_STEP_EXIT_CODE, CALZION_COMMIT_SHA, CALZION_COMMIT_REF,
// CALZION_REPO, CALZION_INSTANCE, CALZION_HOST, CALZION_CONTEXT
// ("calzion/<instance>" for the job, "calzion/<instance>/<step>" for a step),
// CALZION_DESCRIPTION (at most 140 characters), CALZION_GITHUB_STATE
// (pending|success|failure|error) and CALZION_GITLAB_STATE
// (pending|running|success|failed|canceled), the last three for the job or
// the step that changed. Pure.
std::map<std::string, std::string> notify_environment(const Change& change);

// Whoever is told about changes. Called in the order the changes happened,
// one at a time.
class Notifier {
public:
    virtual ~Notifier() = default;
    virtual void notify(const Change& change) = 0;
};

// Every change from `before` to `after` (the same job), steps first in
// record order, then the job's own; none when nothing changed state.
std::vector<Change> changes_between(const jobs::JobRecord& before, const jobs::JobRecord& after,
                                    const std::string& host);

struct NotifyCommand {
    std::vector<std::string> argv;  // one element: a shell command line (sh -c)
    std::chrono::seconds timeout{30};
};

// Runs the notify command through `local` for each change. A command that
// fails, cannot be run or outlives its timeout is reported to `reporter` as a
// note naming the job and the change; it never fails the job and never throws.
class CommandNotifier final : public Notifier {
public:
    CommandNotifier(exec::Runner& local, NotifyCommand command, events::Reporter& reporter)
        : m_local(local), m_command(std::move(command)), m_reporter(reporter) {}
    void notify(const Change& change) override;

private:
    exec::Runner& m_local;
    NotifyCommand m_command;
    events::Reporter& m_reporter;
};

}  // namespace calzion::pipeline
