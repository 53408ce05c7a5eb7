#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "plan/observed.hpp"
#include "render/deployment.hpp"
#include "plan/recorded.hpp"

namespace calzion::plan {

enum class ActionKind {
    create,     // no container runs for the service: start one
    replace,    // the container runs another spec or image, or is not running
    remove,     // the service left the template (deploy --prune)
    keep,       // the service left the template, its container is kept (no --prune)
    unchanged,  // the container runs exactly what the template says
};

// Canonical JSON text of each field of a service's spec, keyed by field name.
using Fields = std::map<std::string, std::string>;

// What deploy will do about one service on one host, and why.
struct Action {
    ActionKind kind = ActionKind::unchanged;
    std::string service;
    std::string reason;                       // e.g. "image changed", "container missing"
    std::vector<std::string> changed_fields;  // for replace: the fields whose value differs
    const render::RenderedService* desired = nullptr;  // null for remove and keep
    std::optional<plan::Workload> current;          // the container in place, if any
    std::vector<plan::Workload> leftovers;          // other containers of the service to clean up
    // An old container of the service that an interrupted replacement left
    // running beside (parked): it serves until the new container is ready,
    // then goes; it is not among the leftovers.
    std::optional<plan::Workload> parked;
    // Run the service's init commands once its container is ready: it has some
    // and the host holds no marker saying they ran. Also for an unchanged one.
    bool init = false;
    // For create and replace of a service built from source (`git`/`build`): its
    // image is not on the host yet and deploy builds it first.
    bool build = false;
    // The domains the router sends to the service changed: a new revision
    // records them (the router reads them there); the container is not touched.
    bool routes_changed = false;
};

struct Plan {
    std::vector<Action> actions;  // in start order; removals last

    // Whether deploy would change anything on the host (a pending init counts).
    bool has_changes() const;
    const Action* find(const std::string& service) const;
};

struct PlanOptions {
    bool force = false;  // replace every service
    bool prune = false;  // remove containers of services no longer in the template
    // Services that placement moved from this host to another (service -> host):
    // removed here, whatever `prune` says.
    std::map<std::string, std::string> moved;
    // The digest of each service's secrets as this deploy gives them (deploy
    // only: plan has no values); one its container was not started with replaces it.
    std::map<std::string, std::string> secret_digests;
    // Whether a missing image of a git/build service is built (not by rollback,
    // which works from host state alone: it runs what the host still has).
    bool builds = true;
};

// Compare what the template wants (desired, with the fields of each service) with
// what a host has (`recorded`: the revision and markers its store holds;
// `observed`: the workloads the backend found for the instance, its named
// volumes and image ids) and decide, per service, what deploy must do. Pure. Throws
// Error(operation_failed) when a container in place keeps data in a named volume
// under a name from an earlier naming scheme (docker cannot rename it), saying
// how to move the data.
Plan make_plan(const render::Deployment& desired, const std::map<std::string, Fields>& desired_fields,
               const Recorded& recorded, const plan::Observed& observed, const PlanOptions& options);

// "create", "replace", ...
const char* to_string(ActionKind kind);

// Why a workload that is not running needs a deploy: "container is exited";
// for a Swarm service "service has 1/3 tasks running" (or "is stopped",
// "is stopping", "is updating").
std::string not_running_reason(const plan::Workload& workload);

}  // namespace calzion::plan
