#pragma once

#include <optional>
#include <string>
#include <vector>

#include "deploy/deploy.hpp"
#include "deploy/targets.hpp"
#include "events/reporter.hpp"
#include "state/history.hpp"

namespace calzion::deploy {

// Everything `rollback` needs: no template, the hosts hold the revisions.
struct RollbackRequest {
    std::string instance;
    std::optional<int> to_revision;  // none: the newest succeeded revision before the current one
    Targets targets;
    int wait_timeout = 120;           // seconds a new container has to become ready
    int lock_timeout = 0;             // seconds to wait for another deploy's lock
};

// The revision to roll back to in a host's history: `to` when given, else the
// newest succeeded revision before the current one. Pure. Throws Error(usage)
// when `to` is not recorded ("instance \"shop\" has no revision 7 on host1 (it
// has 1-5)"), when the instance has no revisions there, or when no earlier
// revision succeeded.
const state::Revision& rollback_target(const state::History& history, std::optional<int> to,
                                             const std::string& instance, const std::string& host);

// Roll the instance back on every host in parallel, each under its lock: read
// the history, rebuild the chosen revision's deployment from its record, and
// plan, apply and record it like a deploy with --prune (services the revision
// did not have are removed). Images are never pulled: a rollback runs what the
// host has, so that a tag moved since cannot slip another image in, and a
// service whose image is gone fails (the old container keeps serving). Secrets
// come from the env files on the host. It is recorded as a new revision, command
// "rollback". Errors are kept per host and reported as they happen.
std::vector<HostOutcome> rollback_all(const RollbackRequest& request, events::Reporter& reporter);

// A revision recorded before the current naming scheme names its container
// <instance>-<service> and its volumes cz-<instance>-<volume>: give `service`
// today's names (render::container_name, render::volume_name) and the spec hash
// that goes with them, so that a rollback does not bring the old names back.
void rename_recorded(render::RenderedService& service, const std::string& instance);

}  // namespace calzion::deploy
