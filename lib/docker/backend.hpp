#pragma once

#include "backend/backend.hpp"

namespace calzion::docker {

// Plain docker on each host: a workload is a container named after its
// service, on the instance's own network; named volumes are docker volumes
// labelled with the instance and the state directory that owns them.
class DockerBackend final : public backend::Backend {
public:
    std::string name() const override { return "docker"; }

    state::Observer observer(const std::string& instance, const std::vector<std::string>& images) const override;
    plan::Observed parse_observed(const std::string& output, const std::vector<std::string>& images) const override;

    backend::ApplyResult apply(const plan::Plan& plan, const render::Deployment& desired,
                              const state::HostState& recorded, exec::Runner& runner, events::Reporter& reporter,
                              const backend::ApplyOptions& options) const override;

    void stop(exec::Runner& runner, const backend::WorkloadRef& workload) const override;
    void start(exec::Runner& runner, const backend::WorkloadRef& workload,
               const backend::Readiness& readiness) const override;
    bool restarts_in_place() const override { return false; }
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

}  // namespace calzion::docker
