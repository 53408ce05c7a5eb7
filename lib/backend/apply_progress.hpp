#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "backend/apply.hpp"
#include "events/reporter.hpp"
#include "exec/runner.hpp"
#include "plan/plan.hpp"

namespace calzion::backend {

// What a backend's apply reports as its services change, and the result it
// builds, shared by the tasks that exec::TaskGraph runs at once.
class ApplyProgress {
public:
    ApplyProgress(exec::Runner& runner, events::Reporter& reporter) : m_runner(runner), m_reporter(reporter) {}

    // "create: new service": a step begins for the action's service.
    void step(const plan::Action& action, const std::string& text);
    // "ready": something the action's service reached.
    void note(const plan::Action& action, const std::string& text);
    // The action failed: the first failure becomes the result's, named after
    // its service, keeping its kind and host.
    void fail(const plan::Action& action, const Error& error);
    bool failed() const { return m_failed; }

    void applied(const std::string& service);
    void restored(const std::string& service);

    // Run `argv` and ignore how it went: best effort while already failing
    // (the next deploy converges).
    void try_run(const std::vector<std::string>& argv);

    // The result; read it once the tasks are done.
    ApplyResult& result() { return m_result; }

private:
    exec::Runner& m_runner;
    events::Reporter& m_reporter;
    std::atomic<bool> m_failed{false};
    std::mutex m_mutex;
    ApplyResult m_result;
};

// Run `carry_out` for every action of `plan` on one exec::TaskGraph, each after
// the actions of the services it comes after (RenderedService::after): a
// service changes once their changes are done, not at all if one of them
// failed, and independent ones run concurrently, at most exec::k_channel_limit
// at once. After any failure (progress.failed()) no further action starts.
void run_actions(const plan::Plan& plan, const ApplyProgress& progress,
                 const std::function<void(const plan::Action&)>& carry_out);

}  // namespace calzion::backend
