#pragma once

#include <string>
#include <vector>

#include "state/observer.hpp"

namespace calzion::state {

// The host side of the record store: short POSIX sh scripts that need only sh
// and coreutils on the host. Each is run as `sh -c SCRIPT calzion ARGS...`: the
// script is a constant, every value is an argument, and the runner quotes the
// whole argv in its one quoting place. Output sections start with "@@calzion ".

// The state format this calzion writes; a newer one on a host is refused.
inline constexpr int k_state_format = 1;

// argv that prints the state of an instance (see state::parse_dump) without
// locking, then what `observer` prints. Arguments: state dir ("" for the
// default), instance, then the observer's.
std::vector<std::string> read_state_argv(const std::string& state_dir, const std::string& instance,
                                         const Observer& observer);

// argv that takes the instance's lock, waiting up to `wait_seconds`, prints
// "@@calzion locked" and the state dump with what `observer` prints, then holds the lock until its stdin
// closes, which happens when calzion finishes, dies, or loses the connection.
// When the lock stays held, prints "@@calzion held" and the holder, exits
// exec::k_status_lock_held (see state::lock_function).
std::vector<std::string> lock_argv(const std::string& state_dir, const std::string& instance,
                                   const std::string& owner, int wait_seconds, const Observer& observer);

// argv that records a revision: the revision document arrives on stdin, is
// written atomically, becomes current, and the audit line is appended.
std::vector<std::string> record_argv(const std::string& state_dir, const std::string& instance, int revision,
                                     const std::string& audit_line);

// argv that writes a service's secret env file from stdin: mode 0600 in a 0700
// directory, never on a command line.
// Record the digest of the secrets service `service`'s container was started
// with (secrets/<service>.applied, 0600), so that a later deploy sees a change.
std::vector<std::string> mark_secrets_argv(const std::string& instance_dir, const std::string& service,
                                           const std::string& digest);

std::vector<std::string> write_secrets_argv(const std::string& instance_dir, const std::string& service);

// argv that writes a service's init marker, init/<service> in the instance
// directory, from stdin, atomically: its init has run and never runs again.
std::vector<std::string> write_init_marker_argv(const std::string& instance_dir, const std::string& service);

// argv that deletes an instance's state directory (destroy --volumes) or only its
// records (destroy), keeping volumes and the init markers that go with them.
std::vector<std::string> forget_instance_argv(const std::string& instance_dir, bool with_volumes);

// argv that prints every recorded revision of an instance (see
// state::parse_history) in one round trip, without locking.
std::vector<std::string> history_argv(const std::string& state_dir, const std::string& instance);

// argv that lists the instances recorded on a host, one JSON object per line.
std::vector<std::string> list_instances_argv(const std::string& state_dir);

}  // namespace calzion::state
