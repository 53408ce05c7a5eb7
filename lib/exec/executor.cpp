#include "exec/executor.hpp"
#include <condition_variable>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>

namespace calzion::exec {

Error current_error() {
    try {
        throw;
    } catch (const Error& error) {
        return error;
    } catch (const std::exception& error) {
        return Error(ErrorKind::operation_failed, std::string("internal error: ") + error.what());
    } catch (...) {
        return Error(ErrorKind::operation_failed, "internal error: unknown exception");
    }
}

size_t TaskGraph::add(Work work, std::vector<size_t> after) {
    for (size_t before : after) {
        if (before >= m_tasks.size()) {
            throw Error(ErrorKind::operation_failed, "internal error: task comes after a task not yet added");
        }
    }
    m_tasks.push_back(Task{std::move(work), std::move(after)});
    return m_tasks.size() - 1;
}

namespace {

// The shared bookkeeping of one TaskGraph::run: which tasks wait for how many
// others, which are ready, and how each ended. Guarded by `mutex`.
struct Schedule {
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<TaskOutcome> outcomes;
    std::vector<size_t> waiting_for;               // per task: prerequisites not yet succeeded
    std::vector<std::vector<size_t>> dependents;   // per task: who comes after it
    std::deque<size_t> ready;
    size_t ended = 0;

    // Record how `task` ended and release or skip its dependents.
    void finish(size_t task, TaskOutcome outcome) {
        std::vector<size_t> pending{task};
        outcomes[task] = std::move(outcome);
        while (!pending.empty()) {
            size_t done = pending.back();
            pending.pop_back();
            ++ended;
            for (size_t next : dependents[done]) {
                if (!outcomes[done].ok()) {
                    // Skipped once, however many of its prerequisites fail.
                    if (waiting_for[next] != 0) {
                        waiting_for[next] = 0;
                        pending.push_back(next);
                    }
                } else if (waiting_for[next] != 0 && --waiting_for[next] == 0) {
                    ready.push_back(next);
                }
            }
        }
        changed.notify_all();
    }
};

}  // namespace

std::vector<TaskOutcome> TaskGraph::run(size_t limit) {
    Schedule schedule;
    size_t count = m_tasks.size();
    schedule.outcomes.resize(count);
    schedule.waiting_for.resize(count);
    schedule.dependents.resize(count);
    for (size_t i = 0; i < count; ++i) {
        schedule.waiting_for[i] = m_tasks[i].after.size();
        for (size_t before : m_tasks[i].after) {
            schedule.dependents[before].push_back(i);
        }
        if (m_tasks[i].after.empty()) {
            schedule.ready.push_back(i);
        }
    }
    auto worker = [&] {
        std::unique_lock<std::mutex> lock(schedule.mutex);
        while (true) {
            schedule.changed.wait(lock, [&] { return !schedule.ready.empty() || schedule.ended == count; });
            if (schedule.ready.empty()) {
                return;
            }
            size_t task = schedule.ready.front();
            schedule.ready.pop_front();
            lock.unlock();
            TaskOutcome outcome;
            try {
                m_tasks[task].work();
                outcome.state = TaskOutcome::State::succeeded;
            } catch (...) {
                outcome.state = TaskOutcome::State::failed;
                outcome.error = current_error();
            }
            lock.lock();
            schedule.finish(task, std::move(outcome));
        }
    };
    size_t threads = std::min(std::max<size_t>(limit, 1), count);
    std::vector<std::thread> pool;
    for (size_t i = 1; i < threads; ++i) {
        pool.emplace_back(worker);
    }
    if (count > 0) {
        worker();
    }
    for (auto& thread : pool) {
        thread.join();
    }
    return std::move(schedule.outcomes);
}

std::vector<std::optional<Error>> run_each(size_t count, size_t limit, const std::function<void(size_t)>& work) {
    TaskGraph graph;
    for (size_t i = 0; i < count; ++i) {
        graph.add([&work, i] { work(i); });
    }
    std::vector<std::optional<Error>> errors;
    for (auto& outcome : graph.run(limit)) {
        errors.push_back(std::move(outcome.error));
    }
    return errors;
}

}  // namespace calzion::exec
