#pragma once

#include <memory>
#include <string>
#include <vector>

#include "exec/runner.hpp"
#include "render/deployment.hpp"
#include "state/host_state.hpp"

namespace calzion::state {

// Read an instance's state on a host in one round trip, without the lock.
// `images` are the references whose local ids the planner needs.
HostState read_state(exec::Runner& runner, const std::string& state_dir, const std::string& instance,
                     const std::vector<std::string>& images);

// An instance's lock on one host, held until release() or destruction, and
// released by the host if calzion or the connection dies.
class Lock {
public:
    explicit Lock(std::unique_ptr<exec::Process> holder) : m_holder(std::move(holder)) {}
    ~Lock();
    Lock(const Lock&) = delete;
    Lock& operator=(const Lock&) = delete;

    // Let the lock go and wait until the host has removed it.
    void release();

private:
    std::unique_ptr<exec::Process> m_holder;
};

// Take the instance's lock, waiting up to `wait_seconds` for another holder, and
// read the state while holding it (one round trip for both). Throws
// Error(lock_held) naming the holder when the lock stays held, and
// Error(permission) when the state directory cannot be written or another state
// directory owns the instance (state::check_owner).
std::pair<std::unique_ptr<Lock>, HostState> lock_and_read(exec::Runner& runner, const std::string& state_dir,
                                                          const std::string& instance, const std::string& command,
                                                          int wait_seconds, const std::vector<std::string>& images);

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
