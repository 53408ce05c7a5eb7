#include "swarm/backend.hpp"

#include <cstddef>

#include "docker/attach.hpp"
#include "exec/run_checked.hpp"
#include "swarm/apply.hpp"
#include "swarm/destroy.hpp"
#include "swarm/lifecycle.hpp"
#include "swarm/observe.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace calzion::swarm {

state::Observer SwarmBackend::observer(const std::string& instance, const std::vector<std::string>& images) const {
    return swarm::observer(instance, images);
}

plan::Observed SwarmBackend::parse_observed(const std::string& output, const std::vector<std::string>& images) const {
    return parse_view(output, images).observed;
}

backend::ApplyResult SwarmBackend::apply(const plan::Plan& plan, const render::Deployment& desired,
                                        const state::HostState& recorded, exec::Runner& runner,
                                        events::Reporter& reporter, const backend::ApplyOptions& options) const {
    return swarm::apply(plan, desired, recorded, runner, reporter, options);
}

void SwarmBackend::stop(exec::Runner& runner, const backend::WorkloadRef& workload) const {
    swarm::stop(runner, workload);
}

void SwarmBackend::start(exec::Runner& runner, const backend::WorkloadRef& workload,
                         const backend::Readiness& readiness) const {
    swarm::start(runner, workload, readiness);
}

void SwarmBackend::restart(exec::Runner& runner, const backend::WorkloadRef& workload,
                           const backend::Readiness& readiness) const {
    swarm::restart(runner, workload, readiness);
}

void SwarmBackend::remove_workloads(exec::Runner& runner, const std::vector<std::string>& names, bool) const {
    // Swarm removes the tasks' containers, and with them their anonymous volumes.
    exec::Result result = runner.run(exec::command(remove_services_argv(names)));
    if (!result.ok()) {
        throw Error(ErrorKind::operation_failed, "removing services failed: " + util::one_line(result.err));
    }
}

std::vector<backend::NamedVolume> SwarmBackend::settle_volumes(exec::Runner& runner, const state::HostState& recorded,
                                                              const plan::Observed& observed, bool removing) const {
    return swarm::settle_volumes(runner, recorded, observed, removing);
}

bool SwarmBackend::remove_network(exec::Runner& runner, const std::string& network) const {
    return runner.run(exec::command(remove_network_argv(network))).ok();
}

void SwarmBackend::clean_up(exec::Runner& runner, const std::string& instance, const std::string& instance_dir) const {
    exec::run_checked(runner, clean_up_argv(instance, instance_dir), "removing the instance's Swarm secrets");
}

std::vector<std::string> SwarmBackend::logs_argv(const std::string& name, const backend::LogsOptions& options) const {
    // docker service logs takes the options of docker logs, and prefixes each
    // line with the task and node it comes from.
    std::vector<std::string> argv = docker::logs(name, options);
    for (size_t i = 0; i + 1 < argv.size(); ++i) {
        if (argv[i] == "docker" && argv[i + 1] == "logs") {
            argv.insert(argv.begin() + static_cast<std::ptrdiff_t>(i) + 1, "service");
            break;
        }
    }
    return argv;
}

std::vector<std::string> SwarmBackend::exec_argv(const std::string& name, const std::vector<std::string>& command,
                                                 const backend::ExecOptions& options) const {
    // `name` is a task's container (id or name), run on that task's node.
    return docker::exec(name, command, options);
}

}  // namespace calzion::swarm
