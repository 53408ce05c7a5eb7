#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "plan/observed.hpp"
#include "state/observer.hpp"
#include "swarm/inspect.hpp"

namespace calzion::swarm {

// The observe fragment that the store's read runs on the manager (one round
// trip, one channel): whether the engine is a Swarm manager, whether its
// kernel has IPVS, the instance's services (label io.calzion.instance) with
// all their tasks, the nodes' names, the ids of the images `images` on the
// manager, the instance's volumes on the manager and the service versions
// calzion recorded in the instance's directory (versions_dir).
state::Observer observer(const std::string& instance, const std::vector<std::string>& images);

// What the observer found, with each service's spec.
struct SwarmView {
    bool ipvs = false;
    std::map<std::string, std::string> nodes;  // id -> hostname
    std::map<std::string, InspectedService> services;  // by name
    plan::Observed observed;
};

// Read what observer(instance, images) printed. Each service becomes a
// workload (see workload_of). Observed::image_ids is keyed by each of
// `images` as given. Throws Error(operation_failed) when docker did not
// answer or the engine is not a Swarm manager, saying how to make it one.
SwarmView parse_view(const std::string& output, const std::vector<std::string>& images);

// The workload of a service: name, id, and from its labels instance,
// service, spec hash, state directory and revision; the replicas wanted; its
// tasks that should run and its latest failed one, each with its node's
// name (`nodes`: id -> hostname); status "running" when converged (no update
// under way, as many tasks of its current spec running as wanted), "stopped"
// when scaled to 0 with no task left running ("stopping" while one is),
// "updating" while an update or rollback is under way, else "degraded"; the named volumes it mounts;
// changed_by_hand when its version is not the one calzion recorded
// (`recorded_version`, 0: none recorded). No image id: Swarm names the image
// by its tag, which each node resolves itself. A task that last said it runs
// on a node that is down (`down`: node ids) is in state "node down": it
// counts as running nowhere, and its replacement (if any) runs elsewhere.
plan::Workload workload_of(const InspectedService& service, const std::vector<InspectedTask>& tasks,
                           const std::map<std::string, std::string>& nodes, long long recorded_version,
                           const std::set<std::string>& down = {});

}  // namespace calzion::swarm
