#include "deploy/instances.hpp"

#include <algorithm>
#include <set>

#include "deploy/router_sync.hpp"
#include "exec/run_checked.hpp"
#include "ops/session.hpp"
#include "render/names.hpp"
#include "state/listing.hpp"
#include "state/revision.hpp"
#include "state/scripts.hpp"
#include "util/strings.hpp"

namespace calzion::deploy {

namespace {

std::string drift_of(const state::RecordedService& recorded, const plan::Workload& container) {
    bool service = container.replicas >= 0;  // a Swarm service
    if (container.spec_hash != recorded.spec_hash) {
        return service ? "service differs from revision" : "container differs from revision";
    }
    if (!container.changed_by_hand.empty()) {
        return container.changed_by_hand;
    }
    if (container.status != "running") {
        return plan::not_running_reason(container);
    }
    return "";
}

// A Swarm service's replicas: running ones per node, and a note for each task
// that should run and does not, or that ended other than by calzion's say.
void describe_tasks(ServiceStatus& service, const plan::Workload& workload) {
    service.replicas = workload.replicas;
    for (const auto& task : workload.tasks) {
        if (task.state == "running") {
            service.running_on[task.node] += 1;
            continue;
        }
        bool wanted = task.desired_state == "running" || task.desired_state == "ready";
        bool lost = task.state == "node down" || task.state == "orphaned" || task.state == "failed" ||
                    task.state == "rejected";
        if (!wanted && !lost) {
            continue;
        }
        std::string node = task.node.empty() ? "no node" : task.node;
        service.task_notes.push_back(node + ": " + task.state + (task.error.empty() ? "" : ": " + task.error) +
                                     (wanted ? "" : " (replaced)"));
    }
}

void describe_services(InstanceStatus& status, const state::HostState& observed, const plan::Observed& runtime) {
    std::set<std::string> seen;
    for (const auto& recorded : observed.recorded) {
        ServiceStatus service{recorded.name, recorded.container, 0, "missing", "", "container missing", -1, {}, {}};
        for (const auto& container : runtime.workloads) {
            if (container.name == recorded.container) {
                service.revision = container.revision;
                service.state = container.status;
                service.health = container.health;
                service.drift = drift_of(recorded, container);
                describe_tasks(service, container);
            }
        }
        seen.insert(recorded.container);
        status.services.push_back(service);
    }
    for (const auto& container : runtime.workloads) {
        if (!seen.count(container.name)) {
            ServiceStatus service{container.service, container.name, container.revision, container.status,
                                  container.health, "not in the recorded revision", -1, {}, {}};
            describe_tasks(service, container);
            status.services.push_back(std::move(service));
        }
    }
}

// Whether anything of the instance is on the host: a record or a container.
bool instance_present(const state::HostState& observed, const plan::Observed& runtime) {
    return observed.current_revision != 0 || !observed.recorded.empty() || !runtime.workloads.empty();
}

InstanceStatus status_of(exec::Runner& runner, const Targets& targets, const std::string& instance) {
    InstanceStatus status;
    status.host = runner.host();
    status.instance = instance;
    ops::SessionOptions options;
    options.state_dir = targets.state_dir_for(runner.host());
    options.instance = instance;
    options.mode = ops::SessionOptions::Mode::read;
    options.backend = targets.backend;
    ops::Session look(runner, options);
    const state::HostState& observed = look.observed();
    const plan::Observed& runtime = look.runtime();
    // A first deploy that holds the lock has recorded nothing yet: the instance is there.
    status.missing = !instance_present(observed, runtime) && observed.lock_owner.empty();
    status.revision = observed.current_revision;
    state::RevisionOutcome outcome = state::current_outcome(observed);
    if (outcome.status == "failed") {
        status.last_failure = {outcome.command, outcome.message};
    }
    status.lock_owner = observed.lock_owner;
    describe_services(status, observed, runtime);
    return status;
}

std::vector<state::InstanceRecord> list_on(exec::Runner& runner, const Targets& targets) {
    exec::Result result = runner.run(exec::command(state::list_instances_argv(targets.state_dir_for(runner.host()))));
    if (!result.ok()) {
        throw Error(ErrorKind::operation_failed, "cannot list the instances: " + result.err);
    }
    return state::parse_listing(result.out);
}

void destroy_on(DestroyOutcome& outcome, exec::Runner& runner, const Targets& targets, const std::string& instance,
                bool volumes, int lock_timeout, events::Reporter& reporter) {
    ops::SessionOptions options;
    options.state_dir = targets.state_dir_for(runner.host());
    options.instance = instance;
    options.command = "destroy";
    options.lock_timeout = lock_timeout;
    options.backend = targets.backend;
    ops::Session session(runner, options);
    const state::HostState& observed = session.observed();
    const plan::Observed& runtime = session.runtime();
    const backend::Backend& engine = session.backend();
    if (!instance_present(observed, runtime)) {
        // Only the data an earlier destroy kept may be left: --volumes removes it,
        // the instance directory and the named volumes labelled as its own.
        outcome.instance_dir = observed.instance_dir(instance);
        bool kept_dir =
            volumes &&
            runner.run(exec::command(state::forget_instance_argv(outcome.instance_dir, true))).out.find("kept") !=
                std::string::npos;
        if (volumes) {
            outcome.named_volumes = engine.settle_volumes(runner, observed, runtime, volumes);
        }
        bool kept = kept_dir || !outcome.named_volumes.empty();
        outcome.missing = !kept;
        outcome.instance_dir_removed = kept_dir;
        if (kept) {
            bool all_gone = std::all_of(outcome.named_volumes.begin(), outcome.named_volumes.end(),
                                        [](const backend::NamedVolume& volume) { return volume.removed; });
            outcome.data = all_gone ? DestroyOutcome::Data::removed : DestroyOutcome::Data::partly_kept;
            reporter.event({events::Event::Kind::done, runner.host(), "",
                            "removed the data kept of " + util::quoted(instance)});
        }
        return;
    }
    std::vector<std::string> names;
    bool services = false;  // Swarm services rather than containers
    for (const auto& container : runtime.workloads) {
        names.push_back(container.name);
        services = services || container.replicas >= 0;
    }
    if (!names.empty()) {
        engine.remove_workloads(runner, names, volumes);
        outcome.containers = names;
    }
    engine.clean_up(runner, instance, observed.instance_dir(instance));
    outcome.named_volumes = engine.settle_volumes(runner, observed, runtime, volumes);
    bool all_gone = std::all_of(outcome.named_volumes.begin(), outcome.named_volumes.end(),
                                [](const backend::NamedVolume& volume) { return volume.removed; });
    outcome.data = !volumes ? DestroyOutcome::Data::kept
                   : all_gone ? DestroyOutcome::Data::removed
                              : DestroyOutcome::Data::partly_kept;
    outcome.instance_dir = observed.instance_dir(instance);
    exec::run_checked(runner, state::forget_instance_argv(outcome.instance_dir, volumes), "forgetting the instance");
    // With its records gone, the router drops the instance's domains and leaves
    // its network, which can then be removed.
    bool routed = std::any_of(observed.recorded.begin(), observed.recorded.end(),
                              [](const auto& service) { return !service.routes.empty(); });
    if (routed) {
        sync_instance_router(runner, targets);
    }
    // The network may already be gone: its removal is allowed to fail.
    outcome.network = render::network_name(instance);
    outcome.network_removed = engine.remove_network(runner, outcome.network);
    outcome.instance_dir_removed = volumes;
    reporter.event({events::Event::Kind::done, runner.host(), "",
                    "destroyed " + util::quoted(instance) + " (" + std::to_string(names.size()) +
                        (services ? (names.size() == 1 ? " service" : " services")
                                  : (names.size() == 1 ? " container" : " containers")) +
                        (!volumes  ? "; data kept, destroy --volumes removes it)"
                         : all_gone ? ", with its data)"
                                    : ", with its data but the volumes kept below)")});
    for (const auto& volume : outcome.named_volumes) {
        if (volumes && !volume.removed) {
            reporter.event({events::Event::Kind::note, runner.host(), "",
                            "kept volume " + volume.name + ": " + volume.kept_because});
        }
    }
}

}  // namespace

std::vector<InstanceStatus> status_all(const Targets& targets, const std::string& instance) {
    struct HostStatuses {
        std::string host;
        std::vector<InstanceStatus> statuses;
        std::optional<Error> error;
    };
    auto hosts = on_every_host<HostStatuses>(targets, [&](HostStatuses& outcome, exec::Runner& runner) {
        if (!instance.empty()) {
            outcome.statuses.push_back(status_of(runner, targets, instance));
            return;
        }
        for (const auto& record : list_on(runner, targets)) {
            outcome.statuses.push_back(status_of(runner, targets, record.instance));
        }
    });
    std::vector<InstanceStatus> all;
    for (auto& host : hosts) {
        if (host.error) {
            InstanceStatus failed;
            failed.host = host.host;
            failed.instance = instance;
            failed.error = host.error;
            all.push_back(failed);
        }
        all.insert(all.end(), host.statuses.begin(), host.statuses.end());
    }
    return all;
}

std::vector<HostListing> list_all(const Targets& targets) {
    return on_every_host<HostListing>(targets, [&](HostListing& listing, exec::Runner& runner) {
        for (const auto& record : list_on(runner, targets)) {
            listing.instances.push_back({runner.host(), record.instance, record.revision, record.time, record.user,
                                         record.machine, record.status});
        }
    });
}

std::vector<DestroyOutcome> destroy_all(const Targets& targets, const std::string& instance, bool volumes,
                                        int lock_timeout, events::Reporter& reporter) {
    return on_every_host<DestroyOutcome>(targets, [&](DestroyOutcome& outcome, exec::Runner& runner) {
        destroy_on(outcome, runner, targets, instance, volumes, lock_timeout, reporter);
    });
}

}  // namespace calzion::deploy
