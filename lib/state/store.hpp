#pragma once

#include <memory>
#include <string>
#include <vector>

#include "exec/runner.hpp"
#include "render/deployment.hpp"
#include "state/host_state.hpp"
#include "state/lock.hpp"
#include "state/observer.hpp"

namespace calzion::state {

// Read an instance's state on a host in one round trip, without the lock, and
// run `observer` in the same round trip (its output: HostState::observer_output).
// Throws Error(operation_failed), or Error(permission) when the host refuses.
HostState read_state(exec::Runner& runner, const std::string& state_dir, const std::string& instance,
                     const Observer& observer);

// Take the instance's lock, waiting up to `wait_seconds` for another holder, and
// read the state while holding it, running `observer` too (one round trip for
// all). Throws Error(lock_held) naming the holder when the lock stays held, and
// Error(permission) when the state directory cannot be written. Whether another
// state directory owns what runs is the caller's to check
// (backend::check_owner).
std::pair<std::unique_ptr<Lock>, HostState> lock_and_read(exec::Runner& runner, const std::string& state_dir,
                                                          const std::string& instance, const std::string& command,
                                                          int wait_seconds, const Observer& observer);

// What a revision record says besides the deployment.
struct RevisionInfo {
    int revision = 0;
    std::string status;  // "succeeded" or "failed"
    std::string command; // "deploy", "rollback"
    std::string template_file;
    std::string template_digest;
    std::string git_commit;
    std::string message;  // what went wrong, for a failed deploy
    std::vector<std::string> changes;  // one line per service touched: "web: replace (env)"
};

// Write revision `info.revision` with `deployment` (the services that actually
// run, see actual_deployment), by whom and when, make it current and append to
// the audit log, atomically. Throws Error(operation_failed) when the host
// refuses.
void record_revision(exec::Runner& runner, const HostState& state, const std::string& instance,
                     const RevisionInfo& info, const render::Deployment& deployment);

// Write the init marker of `service` on the host (what ran, when, by whom, in
// which revision): its init has run and never runs again for the instance.
// Throws Error(operation_failed), or Error(permission) when the state directory
// cannot be written.
void record_init(exec::Runner& runner, const HostState& state, const std::string& instance,
                 const render::RenderedService& service, int revision);

}  // namespace calzion::state
