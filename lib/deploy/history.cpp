#include "deploy/history.hpp"

namespace calzion::deploy {

std::vector<HostHistory> history_all(const Targets& targets, const std::string& instance) {
    return on_every_host<HostHistory>(targets, [&](HostHistory& outcome, exec::Runner& runner) {
        outcome.history = state::read_history(runner, targets.state_dir_for(runner.host()), instance);
    });
}

}  // namespace calzion::deploy
