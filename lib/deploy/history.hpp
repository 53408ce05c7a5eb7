#pragma once

#include <optional>
#include <string>
#include <vector>

#include "deploy/targets.hpp"
#include "state/history.hpp"

namespace calzion::deploy {

// An instance's revisions on one host, or why they could not be read.
struct HostHistory {
    std::string host;
    state::History history;
    std::optional<Error> error;
};

// Read the instance's history on every target host at once, one round trip
// each, without the lock and without a template. Errors are kept per host.
std::vector<HostHistory> history_all(const Targets& targets, const std::string& instance);

}  // namespace calzion::deploy
