#pragma once

#include <string>
#include <vector>

#include "exec/runner.hpp"

namespace calzion::state {

// Looking at and breaking an instance's lock from outside, and audit lines for
// operations that record no revision. The scripts follow state/scripts.hpp: a
// constant POSIX sh script, every value an argument.

// Whether the process holding a lock still runs on the host.
enum class Liveness {
    alive,    // it runs: the lock is in use
    gone,     // it has ended (or its pid now belongs to another program): stale
    unknown,  // the host has no /proc to tell by
};

// Who holds an instance's lock on one host.
struct LockHolder {
    // From the owner record the holder wrote; empty when it is missing or unreadable.
    std::string user;
    std::string machine;
    std::string command;
    std::string since;
    int client_pid = 0;    // calzion's pid on `machine`
    std::string host_pid;  // the holding process on the host; empty when none was recorded
    Liveness liveness = Liveness::unknown;
};

// An instance's lock on one host.
struct LockInfo {
    std::string state_dir;  // as the host resolved it
    bool held = false;
    LockHolder holder;      // meaningful when held
};

// "alice@laptop (deploy since 2026-11-22T09:14:03Z, pid 4242)", or "an unknown
// holder" when the owner record could not be read.
std::string describe(const LockHolder& holder);

// argv that prints who holds `instance`'s lock (see parse_lock_info), without
// taking it. Arguments: state dir ("" for the host's default), instance.
std::vector<std::string> lock_info_argv(const std::string& state_dir, const std::string& instance);

// Parse what lock_info_argv printed. Throws Error(operation_failed) when the
// output is cut short.
LockInfo parse_lock_info(const std::string& output);

// Read the lock of `instance` on the host behind `runner` (one round trip).
// Throws Error(usage) for an invalid instance name, Error(operation_failed) when
// the host cannot tell.
LockInfo read_lock(exec::Runner& runner, const std::string& state_dir, const std::string& instance);

// How an attempt to break a lock ended.
enum class BreakOutcome {
    broken,   // removed, and the audit line appended
    free,     // nobody held it (any more)
    alive,    // refused: the holder still runs
    changed,  // refused: another holder took the lock meanwhile
};

// argv that removes `instance`'s lock if it is still held by `host_pid` (""
// for a lock without a recorded pid) and that process is gone, then appends
// `audit_line` to the instance's audit log. Prints "@@calzion broken", "free",
// "alive" or "changed"; exits exec::k_status_lock_held when it refuses,
// exec::k_status_denied when it may not write.
std::vector<std::string> break_lock_argv(const std::string& state_dir, const std::string& instance,
                                         const std::string& host_pid, const std::string& audit_line);

// Parse what break_lock_argv printed. Throws Error(operation_failed) for
// anything else.
BreakOutcome parse_break(const std::string& output);

// Break the lock that `seen` describes (see break_lock_argv). Throws
// Error(permission) when the state directory is not writable and
// Error(operation_failed) when the host does not answer as expected; a refusal
// is an outcome, not an error.
BreakOutcome break_lock(exec::Runner& runner, const std::string& state_dir, const std::string& instance,
                        const LockHolder& seen, const std::string& audit_line);

// An audit log entry for an operation that records no revision.
struct AuditEntry {
    std::string command;                // "stop", "lock --break"
    std::vector<std::string> services;  // the services it concerned, if any
    int revision = 0;                   // the instance's current revision, 0 if unknown
    std::string result;                 // "succeeded" or "failed"
    std::string message;                // what happened, or what went wrong
};

// The audit line for `entry`, one JSON object, with the time, this user and
// this machine.
std::string audit_line(const AuditEntry& entry);

// argv that appends `audit_line` to the audit log in `instance_dir` (absolute,
// as the host resolved it); exits exec::k_status_denied when it may not.
std::vector<std::string> append_audit_argv(const std::string& instance_dir, const std::string& audit_line);

// Append `entry` to the audit log in `instance_dir` on the host. Throws
// Error(permission) or Error(operation_failed) when the host refuses.
void append_audit(exec::Runner& runner, const std::string& instance_dir, const AuditEntry& entry);

}  // namespace calzion::state
