#include "docker/backend.hpp"

#include "docker/apply.hpp"
#include "docker/volumes.hpp"
#include "docker/argv.hpp"
#include "docker/attach.hpp"
#include "docker/observe.hpp"
#include "docker/wait.hpp"
#include "exec/run_checked.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace calzion::docker {

state::Observer DockerBackend::observer(const std::string& instance, const std::vector<std::string>& images) const {
    return docker::observer(instance, images);
}

plan::Observed DockerBackend::parse_observed(const std::string& output,
                                                const std::vector<std::string>& images) const {
    return docker::parse_observed(output, images);
}

backend::ApplyResult DockerBackend::apply(const plan::Plan& plan, const render::Deployment& desired,
                                         const state::HostState& recorded, exec::Runner& runner,
                                         events::Reporter& reporter, const backend::ApplyOptions& options) const {
    return docker::apply(plan, desired, recorded, runner, reporter, options);
}

void DockerBackend::stop(exec::Runner& runner, const backend::WorkloadRef& workload) const {
    exec::run_checked(runner, stop_container(workload.name), "docker stop");
}

void DockerBackend::start(exec::Runner& runner, const backend::WorkloadRef& workload,
                          const backend::Readiness& readiness) const {
    const std::string& name = workload.name;
    exec::run_checked(runner, start_container(name), "docker start");
    exec::Result wait =
        runner.run(exec::command(wait_ready_argv(name, readiness.timeout, readiness.stable_seconds)));
    if (wait.ok()) {
        return;
    }
    WaitOutcome outcome = parse_wait(wait.out);
    std::string why = outcome.verdict == "timeout"
                          ? "not ready after " + std::to_string(readiness.timeout) + "s"
                          : "failed to start (" + outcome.status +
                                (outcome.health == "none" || outcome.health.empty() ? "" : ", " + outcome.health) +
                                ")";
    throw Error(ErrorKind::operation_failed,
                "service " + util::quoted(workload.service) + ": " + not_ready_text(why, outcome));
}

void DockerBackend::restart(exec::Runner& runner, const backend::WorkloadRef& workload,
                            const backend::Readiness& readiness) const {
    stop(runner, workload);
    start(runner, workload, readiness);
}

void DockerBackend::remove_workloads(exec::Runner& runner, const std::vector<std::string>& names,
                                     bool volumes) const {
    // With `volumes`, their anonymous volumes go with them (docker keeps named ones).
    std::vector<std::string> argv = {"docker", "rm", "--force"};
    if (volumes) {
        argv.push_back("--volumes");
    }
    argv.insert(argv.end(), names.begin(), names.end());
    exec::Result result = runner.run(exec::command(argv));
    if (!result.ok()) {
        throw Error(ErrorKind::operation_failed,
                    "removing containers failed: " + result.err.substr(0, result.err.find('\n')));
    }
}

std::vector<backend::NamedVolume> DockerBackend::settle_volumes(exec::Runner& runner, const state::HostState& recorded,
                                                               const plan::Observed& observed,
                                                               bool removing) const {
    return docker::settle_volumes(runner, recorded, observed, removing);
}

bool DockerBackend::remove_network(exec::Runner& runner, const std::string& network) const {
    return runner.run(exec::command(docker::remove_network(network))).ok();
}

void DockerBackend::clean_up(exec::Runner&, const std::string&, const std::string&) const {
    // A container's secrets are files in the instance directory, which goes with its records.
}

std::vector<std::string> DockerBackend::logs_argv(const std::string& name, const backend::LogsOptions& options) const {
    return logs(name, options);
}

std::vector<std::string> DockerBackend::exec_argv(const std::string& name, const std::vector<std::string>& command,
                                                  const backend::ExecOptions& options) const {
    return exec(name, command, options);
}

}  // namespace calzion::docker
