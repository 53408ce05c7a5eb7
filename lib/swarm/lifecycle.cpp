#include "exec/run_checked.hpp"
#include "swarm/lifecycle.hpp"

#include "state/sections.hpp"
#include "swarm/converge.hpp"
#include "swarm/spec.hpp"
#include "swarm/update.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace calzion::swarm {

namespace {

// Make `change` and wait until it converged (the version recorded either way).
void converge(exec::Runner& runner, const backend::WorkloadRef& workload, const Argv& change, int timeout,
              const std::string& doing) {
    exec::Result result =
        runner.run(exec::command(converge_argv(workload.instance_dir, workload.name, change, timeout)));
    if (!result.ok()) {
        throw Error(ErrorKind::operation_failed, "service " + util::quoted(workload.service) + ": " + doing +
                                                     " failed: " + failure_text(parse_converge(result.out), timeout));
    }
}

}  // namespace

Argv replicas_argv(const std::string& name) {
    return {"docker", "service", "inspect", "--format",
            std::string("{{index .Spec.Labels \"") + k_replicas_label + "\"}}", name};
}

void stop(exec::Runner& runner, const backend::WorkloadRef& workload) {
    converge(runner, workload, scale_argv(workload.name, 0), k_stop_timeout, "stopping");
}

// The replicas calzion gave the service (1 when its label does not say).
int replicas_of(exec::Runner& runner, const backend::WorkloadRef& workload) {
    exec::Result label = runner.run(exec::command(replicas_argv(workload.name)));
    if (!label.ok()) {
        throw Error(ErrorKind::operation_failed, "service " + util::quoted(workload.service) +
                                                     ": docker service inspect failed: " + util::one_line(label.err));
    }
    int replicas = state::number_in(label.out);
    return replicas < 0 ? 1 : replicas;
}

void start(exec::Runner& runner, const backend::WorkloadRef& workload, const backend::Readiness& readiness) {
    converge(runner, workload, scale_argv(workload.name, replicas_of(runner, workload)), readiness.timeout,
             "starting");
}

void restart(exec::Runner& runner, const backend::WorkloadRef& workload, const backend::Readiness& readiness) {
    // A stopped service starts again, as a stopped container does on a restart.
    Argv change = forced(scale_argv(workload.name, replicas_of(runner, workload)), workload.name);
    converge(runner, workload, change, readiness.timeout, "restarting");
}

}  // namespace calzion::swarm
