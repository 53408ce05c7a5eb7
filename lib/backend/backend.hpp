#pragma once

// The seam between the orchestrators and what runs the services on a host.
// The planner, the host record store and the orchestrators work on the
// neutral types of plan/observed.hpp; a backend turns them into its
// engine's commands. Plain docker is one (docker::DockerBackend); another
// (Swarm) implements this interface and changes neither the planner nor the
// store. A backend holds no per-host state: one object serves every host, and
// every call names the host by its runner.

#include <string>
#include <vector>

#include "backend/attach.hpp"
#include "plan/observed.hpp"
#include "backend/apply.hpp"
#include "backend/volumes.hpp"
#include "exec/runner.hpp"
#include "plan/plan.hpp"
#include "events/reporter.hpp"
#include "state/host_state.hpp"
#include "state/observer.hpp"


namespace calzion::backend {

// What a backend observes, in the planner's neutral terms.
using plan::Observed;
using plan::VolumeMount;
using plan::Workload;

// How long a started workload has to become ready.
struct Readiness {
    int timeout = 120;       // seconds
    int stable_seconds = 2;  // without a health check: running this long without a restart
};

// A workload of a deployed instance, as the lifecycle commands name it.
struct WorkloadRef {
    std::string name;          // the workload: a container, a Swarm service
    std::string service;       // the service it runs
    std::string instance_dir;  // the instance's records on the host (state::HostState::instance_dir)
};

class Backend {
public:
    virtual ~Backend() = default;

    // "docker", as the infrastructure file names it.
    virtual std::string name() const = 0;

    // -- observe: what runs, read in the store's one round trip.

    // The fragment the store's read and lock scripts run after the records:
    // it looks at the workloads and named volumes of `instance` and at the
    // images `images`. Pure.
    virtual state::Observer observer(const std::string& instance, const std::vector<std::string>& images) const = 0;

    // What observer(instance, images) printed (HostState::observer_output).
    // Throws Error(operation_failed) when the engine did not answer.
    virtual Observed parse_observed(const std::string& output, const std::vector<std::string>& images) const = 0;

    // -- apply: carry out a plan on one host (see docker::apply for the order,
    // readiness and rollback of a failed service). Never throws for a failure
    // of the engine: the result says what runs.
    virtual backend::ApplyResult apply(const plan::Plan& plan, const render::Deployment& desired,
                                      const state::HostState& recorded, exec::Runner& runner,
                                      events::Reporter& reporter, const backend::ApplyOptions& options) const = 0;

    // -- lifecycle of the workloads of a deployed instance.

    // Stop `workload`. Throws Error(operation_failed) saying what failed.
    virtual void stop(exec::Runner& runner, const WorkloadRef& workload) const = 0;

    // Start `workload` and wait until it is ready. Throws
    // Error(operation_failed) naming the service when it fails to start or is
    // not ready in time, with its last log lines.
    virtual void start(exec::Runner& runner, const WorkloadRef& workload, const Readiness& readiness) const = 0;

    // Whether restart() replaces a workload's processes while it keeps
    // serving (Swarm: a forced rolling update). If not (plain docker), a
    // restart stops every workload asked for, then starts each, and restart()
    // is not used.
    virtual bool restarts_in_place() const = 0;

    // Restart `workload` and wait until it is ready again. Throws as start().
    virtual void restart(exec::Runner& runner, const WorkloadRef& workload, const Readiness& readiness) const = 0;

    // -- destroy: workloads, named volumes, network.

    // Remove workloads `names`, with `volumes` their anonymous volumes too.
    // Throws Error(operation_failed) saying what failed.
    virtual void remove_workloads(exec::Runner& runner, const std::vector<std::string>& names,
                                  bool volumes) const = 0;

    // Remove (with `removing`) or only list the instance's named volumes that
    // `recorded` and `observed` (read before its workloads went) know of, and
    // say what became of each. Throws Error(operation_failed) when the host
    // cannot be asked.
    virtual std::vector<backend::NamedVolume> settle_volumes(exec::Runner& runner, const state::HostState& recorded,
                                                            const Observed& observed, bool removing) const = 0;

    // Remove the instance's network `network`; false when that failed (it may
    // be gone already).
    virtual bool remove_network(exec::Runner& runner, const std::string& network) const = 0;

    // Once its workloads are gone, remove what else the backend keeps for
    // `instance` besides volumes and the records in `instance_dir` (Swarm:
    // its secrets; plain docker keeps nothing else). Throws
    // Error(operation_failed) saying what failed.
    virtual void clean_up(exec::Runner& runner, const std::string& instance, const std::string& instance_dir) const = 0;

    // -- logs and exec in a workload.

    // argv that copies workload `name`'s log to stdout and stderr; a following
    // one ends once its stdin closes (run it with Command::keep_stdin_open).
    virtual std::vector<std::string> logs_argv(const std::string& name, const LogsOptions& options) const = 0;

    // argv that runs `command` in workload `name`.
    virtual std::vector<std::string> exec_argv(const std::string& name, const std::vector<std::string>& command,
                                               const ExecOptions& options) const = 0;
};

}  // namespace calzion::backend
