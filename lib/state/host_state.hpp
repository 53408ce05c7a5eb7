#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "plan/recorded.hpp"
#include "render/deployment.hpp"
#include "state/revision.hpp"

namespace calzion::state {

using plan::RecordedService;

// What the host record store holds about an instance on a host, as one round
// trip read it: what the planner reads (plan::Recorded), and the rest of the
// store's view. What runs there is the backend's (plan::Observed).
struct HostState : plan::Recorded {
    int format = 0;  // 0: nothing recorded on this host yet
    std::optional<Revision> revision;  // the current one; none when never deployed or its file is gone
    std::string lock_owner;            // who holds the lock, if anyone
    // What the read's observe fragment (state::Observer) printed, for the
    // backend that handed it in to parse.
    std::string observer_output;
};

// Parse what the state scripts print about `instance` (from "@@calzion
// state_dir" to "@@calzion end"). Throws Error(operation_failed) when the output
// is cut short, and Error(invalid_data) when the host's state format is
// newer than this calzion's or the current revision cannot be read (naming its
// file and `host`, see parse_revision).
HostState parse_dump(const std::string& output, const std::string& instance, const std::string& host);

}  // namespace calzion::state
