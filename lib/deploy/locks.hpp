#pragma once

#include <optional>
#include <string>
#include <vector>

#include "deploy/targets.hpp"
#include "state/lock_admin.hpp"

namespace calzion::deploy {

// An instance's lock on one host, as `calzion lock` shows or breaks it.
struct HostLock {
    std::string host;
    state::LockInfo lock;  // as found, before any break
    bool broken = false;   // `--break` removed it
    std::optional<Error> error;
};

// Who holds `instance`'s lock on every target host. Errors are kept per host.
std::vector<HostLock> locks_all(const Targets& targets, const std::string& instance);

// Break `instance`'s lock on every target host where it is held and its holder
// is gone, appending an audit line there. Where the holder still runs (or the
// host cannot tell), or the lock changed hands meanwhile, that host's error is
// Error(lock_held) saying what to do. Errors are kept per host.
std::vector<HostLock> break_all(const Targets& targets, const std::string& instance);

}  // namespace calzion::deploy
