#pragma once

// One instance session on one host: the path every command that changes an
// instance takes, whatever it does in between.
//
//   connect         (ops::on_every_host / ops::connect_all, through a Connector)
//   open            take the instance's lock and read its state, in one round trip
//   act             through runner(): the host, or for a dry run a printing runner
//   record          a revision (deploy, rollback) or an audit line (restart, ...)
//   release         let the lock go (also when the session ends)
//
// A dry run reads without the lock; a read session (plan, status) only reads.

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backend/backend.hpp"
#include "plan/observed.hpp"
#include "exec/dry_run_runner.hpp"
#include "exec/runner.hpp"
#include "state/host_state.hpp"
#include "state/lock.hpp"
#include "state/lock_admin.hpp"
#include "state/store.hpp"

namespace calzion::ops {

// How a session opens on one host.
struct SessionOptions {
    enum class Mode {
        change,   // lock, then read: the session may change the instance
        dry_run,  // read without the lock; changes are printed to `dry_run_to`
        read,     // read without the lock, to look only
    };
    std::string state_dir;  // "" for the host's default
    std::string instance;
    std::string command;    // the lock holder's command: "deploy", "rollback", "restart", ...
    int lock_timeout = 0;   // seconds to wait for another holder of the lock
    std::vector<std::string> images;  // references whose local ids the plan compares
    Mode mode = Mode::change;
    std::ostream* dry_run_to = nullptr;  // Mode::dry_run: where the commands are printed
    std::string backend = "docker";      // what runs the instance (ops::backend_named)
};

// An instance opened on one host: its state as read, and its lock when held.
class Session {
public:
    // Open the session on the host behind `runner`: in change mode take the
    // instance's lock (waiting up to lock_timeout) and read the state in one
    // round trip, otherwise only read it. Throws Error(usage) for an invalid
    // instance name, Error(lock_held) naming the holder, Error(permission) when
    // the state directory cannot be written or (change and dry run) another
    // state directory owns the instance, Error(operation_failed) when the host
    // cannot be read.
    Session(exec::Runner& runner, SessionOptions options);

    const std::string& host() const { return m_host.host(); }
    const SessionOptions& options() const { return m_options; }
    // What the host's record store holds about the instance.
    const state::HostState& observed() const { return m_observed; }
    // What the backend found running for it, read in the same round trip.
    const plan::Observed& runtime() const { return m_runtime; }
    const backend::Backend& backend() const { return m_backend; }
    bool dry_run() const { return m_dry.has_value(); }

    // The host, for reads, whatever the mode.
    exec::Runner& reader() { return m_host; }
    // Where changes go: the host, or for a dry run a runner that prints them.
    exec::Runner& runner() { return m_dry ? static_cast<exec::Runner&>(*m_dry) : m_host; }

    // Record revision `info.revision` with the deployment that runs (through
    // runner()). Throws as state::record_revision.
    void record_revision(const state::RevisionInfo& info, const render::Deployment& deployment);
    // Append `entry` to the instance's audit log (through runner()). Throws as
    // state::append_audit.
    void append_audit(const state::AuditEntry& entry);

    // Let the lock go, if held, and wait until the host has removed it. The
    // lock also goes when the session is destroyed.
    void release();

private:
    exec::Runner& m_host;
    SessionOptions m_options;
    const backend::Backend& m_backend;
    std::optional<exec::DryRunRunner> m_dry;
    std::unique_ptr<state::Lock> m_lock;
    state::HostState m_observed;
    plan::Observed m_runtime;
};

}  // namespace calzion::ops
