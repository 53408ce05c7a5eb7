#include "deploy/locks.hpp"

#include "util/strings.hpp"

namespace calzion::deploy {

namespace {

// Breaking the lock of a holder that still runs would let two deploys
// interleave, which the lock exists to prevent: calzion refuses, and says how
// to end the holder instead (its lock goes with it).
Error refusal(const std::string& instance, const state::LockInfo& lock) {
    const state::LockHolder& holder = lock.holder;
    std::string head = "instance " + util::quoted(instance) + " is locked by " + state::describe(holder);
    if (holder.liveness == state::Liveness::unknown) {
        std::string process = holder.host_pid.empty() ? "its holder" : "its process " + holder.host_pid;
        return Error(ErrorKind::lock_held, head + "; the host cannot tell whether " + process +
                                               " still runs (no /proc): once sure it does not, remove " +
                                               util::quoted(lock.state_dir + "/instances/" + instance + "/lock") +
                                               " on the host");
    }
    return Error(ErrorKind::lock_held, head + ", whose process " + holder.host_pid +
                                           " still runs on the host: wait for it (--lock-timeout), or if it hangs, "
                                           "end that process on the host (kill " + holder.host_pid +
                                           ") and the lock goes with it");
}

void break_on(HostLock& outcome, exec::Runner& runner, const Targets& targets, const std::string& instance) {
    outcome.lock = state::read_lock(runner, targets.state_dir_for(runner.host()), instance);
    if (!outcome.lock.held) {
        return;
    }
    if (outcome.lock.holder.liveness != state::Liveness::gone) {
        throw refusal(instance, outcome.lock);
    }
    state::AuditEntry entry{"lock --break", {}, 0, "succeeded",
                            "lock broken: it was held by " + state::describe(outcome.lock.holder)};
    switch (state::break_lock(runner, targets.state_dir_for(runner.host()), instance, outcome.lock.holder, state::audit_line(entry))) {
    case state::BreakOutcome::broken: outcome.broken = true; break;
    case state::BreakOutcome::free: outcome.lock.held = false; break;
    case state::BreakOutcome::alive: throw refusal(instance, outcome.lock);
    case state::BreakOutcome::changed:
        throw Error(ErrorKind::lock_held, "the lock of instance " + util::quoted(instance) +
                                              " changed hands while it was being broken: look again with "
                                              "calzion lock " + instance);
    }
}

}  // namespace

std::vector<HostLock> locks_all(const Targets& targets, const std::string& instance) {
    return on_every_host<HostLock>(targets, [&](HostLock& outcome, exec::Runner& runner) {
        outcome.lock = state::read_lock(runner, targets.state_dir_for(runner.host()), instance);
    });
}

std::vector<HostLock> break_all(const Targets& targets, const std::string& instance) {
    return on_every_host<HostLock>(targets, [&](HostLock& outcome, exec::Runner& runner) {
        break_on(outcome, runner, targets, instance);
    });
}

}  // namespace calzion::deploy
