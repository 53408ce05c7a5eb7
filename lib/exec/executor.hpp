#pragma once
#include <cstddef>
#include <functional>
#include <optional>
#include <vector>
#include "util/error.hpp"

namespace calzion::exec {

// How many tasks run at once against one host: under sshd's default
// MaxSessions of 10 channels per connection, with room left for the channel
// that holds the instance's lock and for one more command.
inline constexpr size_t k_channel_limit = 8;

// How one task of a TaskGraph ended.
struct TaskOutcome {
    enum class State {
        succeeded,
        failed,   // it threw: `error` says what, as a calzion::Error
        skipped,  // a task it comes after failed or was skipped: it never ran
    };
    State state = State::skipped;
    std::optional<Error> error;  // set when failed
    bool ok() const { return state == State::succeeded; }
};

// Work with dependencies between its parts, run by a bounded pool of threads
// (ninja's ready queue): a task becomes ready once every task it comes after
// has succeeded, and at most `limit` ready tasks run at a time, in the order
// they were added. A task fails by throwing; whatever it throws becomes an
// Error where the task ends (calzion::Error as it is, anything else as
// Error(operation_failed) "internal error: ..."), so a failure can neither
// leave a dependent waiting forever nor lose the other tasks' outcomes.
// Dependents of a failed or skipped task are skipped; independent tasks go on.
class TaskGraph {
public:
    using Work = std::function<void()>;

    // Add a task that runs after the tasks `after` (ids returned by earlier
    // calls) have succeeded, and return its id.
    size_t add(Work work, std::vector<size_t> after = {});
    size_t size() const { return m_tasks.size(); }

    // Run every task, at most `limit` at once (0 counts as 1), and return each
    // task's outcome by id once all have ended. Never throws for a task.
    std::vector<TaskOutcome> run(size_t limit);

private:
    struct Task {
        Work work;
        std::vector<size_t> after;
    };
    std::vector<Task> m_tasks;
};

// Run `work(i)` for every i below `count`, at most `limit` at once, and return
// what each threw (as TaskGraph does), nullopt for those that succeeded. For
// per-host fan-out: every host's outcome is kept whatever the others do.
std::vector<std::optional<Error>> run_each(size_t count, size_t limit, const std::function<void(size_t)>& work);

// `error` converted to a calzion::Error: the same error when it is one, else
// Error(operation_failed, "internal error: <what>"). For use in a catch (...).
Error current_error();

}  // namespace calzion::exec
