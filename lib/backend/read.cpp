#include "backend/read.hpp"

#include "backend/ownership.hpp"

namespace calzion::backend {

std::pair<state::HostState, Observed> read(const Backend& backend, exec::Runner& runner, const std::string& state_dir,
                                           const std::string& instance, const std::vector<std::string>& images) {
    state::HostState recorded = state::read_state(runner, state_dir, instance, backend.observer(instance, images));
    Observed observed = backend.parse_observed(recorded.observer_output, images);
    return {std::move(recorded), std::move(observed)};
}

LockedRead lock_and_read(const Backend& backend, exec::Runner& runner, const std::string& state_dir,
                         const std::string& instance, const std::string& command, int wait_seconds,
                         const std::vector<std::string>& images) {
    LockedRead read;
    std::tie(read.lock, read.recorded) = state::lock_and_read(runner, state_dir, instance, command, wait_seconds,
                                                              backend.observer(instance, images));
    read.observed = backend.parse_observed(read.recorded.observer_output, images);
    check_owner(read.observed, read.recorded, instance, runner.host());
    return read;
}

}  // namespace calzion::backend
