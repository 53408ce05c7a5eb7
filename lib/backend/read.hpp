#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "backend/backend.hpp"
#include "state/store.hpp"

namespace calzion::backend {

// The store's records of an instance on a host and what runs for it, as one
// round trip on one channel read them: the backend's observe fragment runs
// inside the store's read.

// Read both without the lock. `images` are the references whose ids the
// planner compares. Throws as state::read_state and Backend::parse_observed.
std::pair<state::HostState, Observed> read(const Backend& backend, exec::Runner& runner, const std::string& state_dir,
                                           const std::string& instance, const std::vector<std::string>& images);

// Both, read under the instance's lock.
struct LockedRead {
    std::unique_ptr<state::Lock> lock;
    state::HostState recorded;
    Observed observed;
};

// Take the instance's lock and read both in the same round trip, then refuse
// an instance that another state directory owns (check_owner). Throws as
// state::lock_and_read, Backend::parse_observed and check_owner; the lock goes
// with a failure.
LockedRead lock_and_read(const Backend& backend, exec::Runner& runner, const std::string& state_dir,
                         const std::string& instance, const std::string& command, int wait_seconds,
                         const std::vector<std::string>& images);

}  // namespace calzion::backend
