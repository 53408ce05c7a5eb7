#pragma once

#include "backend/backend.hpp"

namespace calzion::swarm {

// Docker Swarm, driven through one manager: a workload is a Swarm service
// `<instance>_<service>` with its tasks spread over the nodes, on the
// instance's attachable overlay network `cz-<instance>`; secrets are Swarm
// secrets named per content; named volumes are local volumes on each node.
// Every call runs on the manager (its runner); calzion(1), INFRASTRUCTURE
// FILE, says what a user sees.
class SwarmBackend final : public backend::Backend {
public:
    std::string name() const override { return "swarm"; }

    state::Observer observer(const std::string& instance, const std::vector<std::string>& images) const override;
    plan::Observed parse_observed(const std::string& output, const std::vector<std::string>& images) const override;

    backend::ApplyResult apply(const plan::Plan& plan, const render::Deployment& desired,
                              const state::HostState& recorded, exec::Runner& runner, events::Reporter& reporter,
                              const backend::ApplyOptions& options) const override;

    void stop(exec::Runner& runner, const backend::WorkloadRef& workload) const override;
    void start(exec::Runner& runner, const backend::WorkloadRef& workload,
               const backend::Readiness& readiness) const override;
    bool restarts_in_place() const override { return true; }
    void restart(exec::Runner& runner, const backend::WorkloadRef& workload,
                 const backend::Readiness& readiness) const override;

    void remove_workloads(exec::Runner& runner, const std::vector<std::string>& names, bool volumes) const override;
    std::vector<backend::NamedVolume> settle_volumes(exec::Runner& runner, const state::HostState& recorded,
                                                    const plan::Observed& observed, bool removing) const override;
    bool remove_network(exec::Runner& runner, const std::string& network) const override;
    void clean_up(exec::Runner& runner, const std::string& instance, const std::string& instance_dir) const override;

    std::vector<std::string> logs_argv(const std::string& name, const backend::LogsOptions& options) const override;
    std::vector<std::string> exec_argv(const std::string& name, const std::vector<std::string>& command,
                                       const backend::ExecOptions& options) const override;
};

}  // namespace calzion::swarm
