#pragma once

#include <string>
#include <vector>

#include "backend/volumes.hpp"
#include "plan/observed.hpp"
#include "exec/runner.hpp"
#include "state/host_state.hpp"

namespace calzion::docker {

using backend::NamedVolume;

// The named volumes of an instance on a host, as destroy sees them: those that
// destroy --volumes may remove (labelled with the instance and this state
// directory, or mounted by the instance's own containers, which calzion created
// before it labelled volumes), and the others it knows of only from the
// recorded revision, with why they stay. Anonymous volumes are not named ones.
struct VolumeCandidates {
    std::vector<std::string> removable;
    std::vector<NamedVolume> kept;
};

// Sort the volumes `recorded` and `observed` know of (read before the
// containers went). Pure.
VolumeCandidates volume_candidates(const state::HostState& recorded, const plan::Observed& observed);

// argv that removes the first `removable` of `names` (or only looks at them)
// and prints one line per volume that exists: "removed NAME", "kept NAME", or
// "in-use NAME CONTAINER..." when docker refused to remove it.
std::vector<std::string> settle_volumes_argv(size_t removable, const std::vector<std::string>& names);

// What became of each candidate, from what settle_volumes_argv printed; volumes
// that do not exist are left out. `removing`: destroy --volumes.
std::vector<NamedVolume> parse_settled(const std::string& output, const VolumeCandidates& candidates,
                                       bool removing);

// Remove (with `removing`) or only list the named volumes of the instance.
// Throws Error(operation_failed) when the host cannot be asked.
std::vector<NamedVolume> settle_volumes(exec::Runner& runner, const state::HostState& recorded,
                                        const plan::Observed& observed, bool removing);

}  // namespace calzion::docker
