#include "backend/apply_progress.hpp"

#include <map>
#include <optional>

#include "exec/executor.hpp"
#include "exec/run_checked.hpp"

namespace calzion::backend {

void ApplyProgress::step(const plan::Action& action, const std::string& text) {
    m_reporter.event({events::Event::Kind::step, m_runner.host(), action.service,
                      text + (action.reason.empty() ? "" : ": " + action.reason)});
}

void ApplyProgress::note(const plan::Action& action, const std::string& text) {
    m_reporter.event({events::Event::Kind::done, m_runner.host(), action.service, text});
}

void ApplyProgress::fail(const plan::Action& action, const Error& error) {
    m_failed = true;
    m_reporter.event({events::Event::Kind::failed, m_runner.host(), action.service, error.message()});
    std::lock_guard<std::mutex> guard(m_mutex);
    if (!m_result.error) {
        Error named(error.kind(), "service \"" + action.service + "\": " + error.message());
        m_result.error = error.host().empty() ? named : named.on_host(error.host());
    }
}

void ApplyProgress::applied(const std::string& service) {
    std::lock_guard<std::mutex> guard(m_mutex);
    m_result.applied.insert(service);
}

void ApplyProgress::restored(const std::string& service) {
    std::lock_guard<std::mutex> guard(m_mutex);
    m_result.restored.insert(service);
}

void ApplyProgress::try_run(const std::vector<std::string>& argv) {
    try {
        m_runner.run(exec::command(argv));
    } catch (...) {
        // Best effort while already failing; the next deploy converges.
    }
}

void run_actions(const plan::Plan& plan, const ApplyProgress& progress,
                 const std::function<void(const plan::Action&)>& carry_out) {
    std::map<std::string, size_t> action_of;
    for (size_t i = 0; i < plan.actions.size(); ++i) {
        action_of[plan.actions[i].service] = i;
    }
    exec::TaskGraph graph;
    std::vector<std::optional<size_t>> task_of(plan.actions.size());
    std::vector<bool> visiting(plan.actions.size(), false);
    // A task may only come after tasks already added: add its dependencies first.
    std::function<void(size_t)> add = [&](size_t i) {
        if (task_of[i] || visiting[i]) {
            return;  // added, or a cycle, which rendering refuses
        }
        visiting[i] = true;
        const plan::Action& action = plan.actions[i];
        std::vector<size_t> after;
        for (const auto& dependency : action.desired ? action.desired->after : std::vector<std::string>{}) {
            auto found = action_of.find(dependency);
            if (found != action_of.end()) {
                add(found->second);
                if (task_of[found->second]) {
                    after.push_back(*task_of[found->second]);
                }
            }
        }
        task_of[i] = graph.add(
            [&progress, &carry_out, &action] {
                if (progress.failed()) {
                    // Not started: its dependents are skipped too.
                    throw Error(ErrorKind::operation_failed, "not started after an earlier failure");
                }
                carry_out(action);
            },
            std::move(after));
    };
    for (size_t i = 0; i < plan.actions.size(); ++i) {
        add(i);
    }
    // How each task ended is in the progress's result: fail() kept the first failure.
    graph.run(exec::k_channel_limit);
}

}  // namespace calzion::backend
