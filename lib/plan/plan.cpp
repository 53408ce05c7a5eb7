// The planner. For each service the template wants, it looks at what the
// backend observed running for the instance on the host (workloads: with plain
// docker, containers) and at the revision the host recorded, and picks exactly
// one action:
//
//   no container for the service                 -> create ("new service", or
//                                                   "container missing" when the
//                                                   host recorded it: drift)
//   container's spec-hash label differs          -> replace, naming the fields that
//                                                   changed since the recorded revision
//   container runs an older image than the tag   -> replace ("image updated")
//   container not running                        -> replace ("container is exited")
//   --force                                      -> replace ("forced")
//   otherwise                                    -> unchanged
//
// A Swarm service (a workload with replicas) is a container in these rules,
// and besides: one changed outside calzion since it last set it is replaced
// with that reason (the deploy restores its spec), and one that has not
// converged is replaced with how many of its tasks run ("service has 1/3
// tasks running"). The names of earlier schemes and parked containers are
// the plain docker backend's: a Swarm service is only ever its own name.
//
// A service built from source (`git`/`build`) whose image (tagged with the
// commit) the host lacks is also marked to be built before it is created or
// replaced; its reason then ends in ", build <image>". An unchanged commit is
// neither rebuilt nor replaced: its image tag, so its spec hash, stays the same.
//
// Independently of that, a service with `init` commands and no init marker on
// the host gets its init run after the action (after the container it keeps,
// for unchanged): the commands run once per instance, whatever replaces the
// container later.
//
// A container is the service's own when it is named <instance>_<service>; other
// containers of the service (left by an interrupted deploy) are leftovers that
// the action cleans up. A running one among them is the old container an
// interrupted replacement parked, still serving: the plan finishes that
// replacement (replace, or unchanged when the new container already runs the
// template's spec) and the parked one keeps serving until the new one is
// ready. Without a container of the service's name, a running container of
// the service under an earlier naming scheme (<instance>-<service>) is
// replaced ("container renamed to ..."), which moves the service to its new
// name. Containers of services no longer in the template are removed with
// --prune, else kept and reported.
//
// Docker cannot rename a volume: when a container in place mounts, where the
// template wants a named volume, a volume of another name (an earlier naming
// scheme) and the new one does not exist yet, the plan is refused with the
// commands that move the data, rather than start the service without it.

#include "plan/plan.hpp"

#include <algorithm>

#include "util/error.hpp"

namespace calzion::plan {

namespace {

// What a service moved to another host leaves behind, as the end of its
// reason: nothing when it mounts no volume.
std::string volumes_left(const Recorded& host, const std::string& service, const std::string& instance) {
    const RecordedService* recorded = host.recorded_service(service);
    if (recorded == nullptr) {
        return "";
    }
    bool own = std::any_of(recorded->mounts.begin(), recorded->mounts.end(),
                           [](const render::Mount& mount) { return mount.type == render::MountType::instance; });
    bool named = !recorded->volumes.empty();
    if (!own && !named) {
        return "";
    }
    std::string where = own ? host.instance_dir(instance) + "/volumes/" + service : "";
    where += own && named ? " and its named volumes" : named ? "its named volumes" : "";
    return "; its volumes stay on this host (in " + where + "), and it starts there without them";
}

std::vector<std::string> diff_fields(const Fields& desired, const RecordedService* recorded) {
    std::vector<std::string> changed;
    if (recorded == nullptr) {
        return changed;
    }
    for (const auto& [field, value] : desired) {
        auto old = recorded->fields.find(field);
        if (old == recorded->fields.end() || old->second != value) {
            changed.push_back(field);
        }
    }
    return changed;
}

// Split the service's containers into its own (named as it should be) and leftovers.
void assign_containers(Action& action, const render::RenderedService& service,
                       const std::vector<plan::Workload>& containers) {
    for (const auto& container : containers) {
        if (container.service != service.name) {
            continue;
        }
        if (container.name == service.container && !action.current) {
            action.current = container;
        } else {
            action.leftovers.push_back(container);
        }
    }
    if (action.current) {
        return;
    }
    // A name from an earlier scheme; parked containers are left to the cleanup.
    auto renamed = std::find_if(action.leftovers.begin(), action.leftovers.end(), [](const plan::Workload& c) {
        return c.replicas < 0 && c.status == "running" && !c.name.ends_with("_old") &&
               !c.name.ends_with("-calzion-old");
    });
    if (renamed != action.leftovers.end()) {
        action.current = *renamed;
        action.leftovers.erase(renamed);
    }
}

// The named volumes that containers in place keep data in under another name
// than the template now gives them, with how to move that data.
std::vector<std::string> renamed_volumes(const Plan& plan, const Recorded& recorded,
                                         const plan::Observed& observed, const std::string& instance) {
    std::vector<std::string> problems;
    for (const auto& action : plan.actions) {
        if (action.desired == nullptr || !action.current) {
            continue;
        }
        for (const auto& mount : action.desired->mounts) {
            if (mount.type != render::MountType::volume || observed.volumes.count(mount.source)) {
                continue;
            }
            for (const auto& old : action.current->volumes) {
                if (old.target != mount.target || old.name == mount.source) {
                    continue;
                }
                problems.push_back(
                    "service \"" + action.service + "\" keeps its data at " + mount.target + " in volume \"" +
                    old.name + "\", which is now named \"" + mount.source +
                    "\", and docker cannot rename a volume; move the data on the host (stop " + action.current->name +
                    " first if it writes there), then deploy again:\n"
                    "  docker volume create --label io.calzion.instance=" + instance +
                    " --label io.calzion.state=" + recorded.state_dir + " " + mount.source + "\n"
                    "  docker run --rm -v " + old.name + ":/from -v " + mount.source +
                    ":/to IMAGE cp -a /from/. /to/   (any IMAGE with cp, e.g. busybox)\n"
                    "  and once the deploy succeeded: docker volume rm " + old.name);
            }
        }
    }
    return problems;
}

std::string image_wanted(const render::RenderedService& service, const plan::Observed& observed) {
    auto found = observed.image_ids.find(service.image);
    return found == observed.image_ids.end() ? std::string() : found->second;
}

bool secrets_changed(const render::RenderedService& service, const Recorded& observed,
                     const PlanOptions& options) {
    auto wanted = options.secret_digests.find(service.name);
    if (service.secrets.empty() || wanted == options.secret_digests.end()) {
        return false;
    }
    auto applied = observed.secrets_applied.find(service.name);
    return applied == observed.secrets_applied.end() || applied->second != wanted->second;
}

void decide(Action& action, const render::RenderedService& service, const Fields& fields,
            const Recorded& host, const plan::Observed& observed, const PlanOptions& options) {
    const RecordedService* recorded = host.recorded_service(service.name);
    const auto& current = action.current;
    std::string wanted_image = image_wanted(service, observed);
    if (!current) {
        action.kind = ActionKind::create;
        action.reason = !recorded ? "new service" : service.swarm ? "service missing" : "container missing";
    } else if (current->name != service.container) {
        action.kind = ActionKind::replace;
        action.reason = "container renamed to " + service.container;
    } else if (current->spec_hash != service.spec_hash) {
        action.kind = ActionKind::replace;
        bool recorded_matches = recorded && recorded->spec_hash == current->spec_hash;
        action.changed_fields = diff_fields(fields, recorded_matches ? recorded : nullptr);
        action.reason = recorded_matches ? "spec changed" : "container differs from what calzion recorded";
    } else if (!current->changed_by_hand.empty()) {
        action.kind = ActionKind::replace;
        action.reason = current->changed_by_hand;
    } else if (!wanted_image.empty() && !current->image_id.empty() && wanted_image != current->image_id) {
        action.kind = ActionKind::replace;
        action.reason = "image updated";
        action.changed_fields = {"image"};
    } else if (current->status != "running") {
        action.kind = ActionKind::replace;
        action.reason = not_running_reason(*current);
    } else if (secrets_changed(service, host, options)) {
        action.kind = ActionKind::replace;
        action.reason = "secrets changed";
        action.changed_fields = {"secrets"};
    } else if (options.force) {
        action.kind = ActionKind::replace;
        action.reason = "forced";
    } else {
        action.kind = ActionKind::unchanged;
        action.reason = action.leftovers.empty() ? "up to date" : "up to date; leftover containers removed";
    }
}

// A running leftover is a parked old container that still serves (Swarm
// services are never parked).
void mark_interrupted(Action& action) {
    auto running = std::find_if(action.leftovers.begin(), action.leftovers.end(),
                                [](const plan::Workload& c) { return c.replicas < 0 && c.status == "running"; });
    if (running == action.leftovers.end()) {
        return;
    }
    action.parked = *running;
    action.leftovers.erase(running);
    std::string serves = "finishes an interrupted replacement; " + action.parked->name + " keeps serving until ";
    if (action.kind == ActionKind::unchanged) {
        action.reason = serves + action.current->name + " is ready";
    } else {
        action.kind = ActionKind::replace;
        action.reason = serves + "the new container is ready";
    }
}

void mark_build(Action& action, const render::RenderedService& service, const plan::Observed& observed) {
    bool starts = action.kind == ActionKind::create || action.kind == ActionKind::replace;
    bool built = (service.git || service.build) && !service.image.empty();
    if (starts && built && image_wanted(service, observed).empty()) {
        action.build = true;
        action.reason += ", build " + service.image;
    }
}

void mark_routes(Action& action, const render::RenderedService& service, const Recorded& observed) {
    const RecordedService* recorded = observed.recorded_service(service.name);
    if (service.routes != (recorded ? recorded->routes : std::vector<render::Route>{})) {
        action.routes_changed = true;
        if (action.kind == ActionKind::unchanged && !action.parked) {
            action.reason = "domains changed (the router follows; the container is not touched)";
        }
    }
}

void add_departed(Plan& plan, const render::Deployment& desired, const Recorded& recorded,
                  const plan::Observed& observed, const PlanOptions& options) {
    std::map<std::string, Action> departed;
    for (const auto& container : observed.workloads) {
        if (desired.find(container.service) != nullptr) {
            continue;
        }
        Action& action = departed[container.service];
        action.service = container.service;
        auto moved = options.moved.find(container.service);
        if (moved != options.moved.end()) {
            // Data does not travel: say so, since the new container starts without it.
            action.kind = ActionKind::remove;
            action.reason = "moved to \"" + moved->second + "\"" +
                            volumes_left(recorded, container.service, desired.instance);
        } else {
            action.kind = options.prune ? ActionKind::remove : ActionKind::keep;
            action.reason = options.prune ? "no longer in the template"
                                          : "no longer in the template; deploy --prune removes it";
        }
        action.leftovers.push_back(container);
    }
    for (auto& [name, action] : departed) {
        plan.actions.push_back(std::move(action));
    }
}

}  // namespace

bool Plan::has_changes() const {
    return std::any_of(actions.begin(), actions.end(), [](const Action& action) {
        return action.kind == ActionKind::create || action.kind == ActionKind::replace ||
               action.kind == ActionKind::remove || action.init || action.routes_changed ||
               (action.kind == ActionKind::unchanged && (!action.leftovers.empty() || action.parked));
    });
}

const Action* Plan::find(const std::string& service) const {
    auto it = std::find_if(actions.begin(), actions.end(), [&](const Action& a) { return a.service == service; });
    return it == actions.end() ? nullptr : &*it;
}

Plan make_plan(const render::Deployment& desired, const std::map<std::string, Fields>& desired_fields,
               const Recorded& recorded, const plan::Observed& observed, const PlanOptions& options) {
    Plan plan;
    static const Fields no_fields;
    for (const auto& service : desired.services) {
        Action action;
        action.service = service.name;
        action.desired = &service;
        assign_containers(action, service, observed.workloads);
        auto fields = desired_fields.find(service.name);
        decide(action, service, fields == desired_fields.end() ? no_fields : fields->second, recorded, observed,
               options);
        mark_interrupted(action);
        if (options.builds) {
            mark_build(action, service, observed);
        }
        action.init = !service.init.empty() && !recorded.init_done.count(service.name);
        mark_routes(action, service, recorded);
        plan.actions.push_back(std::move(action));
    }
    add_departed(plan, desired, recorded, observed, options);
    std::vector<std::string> problems = renamed_volumes(plan, recorded, observed, desired.instance);
    if (!problems.empty()) {
        std::string text;
        for (const auto& problem : problems) {
            text += (text.empty() ? "" : "\n") + problem;
        }
        throw Error(ErrorKind::operation_failed, text);
    }
    return plan;
}

std::string not_running_reason(const plan::Workload& workload) {
    if (workload.replicas < 0) {
        return "container is " + workload.status;
    }
    if (workload.status == "stopped" || workload.status == "stopping" || workload.status == "updating") {
        return "service is " + workload.status;
    }
    int running = static_cast<int>(std::count_if(workload.tasks.begin(), workload.tasks.end(), [](const Task& task) {
        return task.desired_state == "running" && task.state == "running";
    }));
    return "service has " + std::to_string(running) + "/" + std::to_string(workload.replicas) + " tasks running";
}

const char* to_string(ActionKind kind) {
    switch (kind) {
    case ActionKind::create: return "create";
    case ActionKind::replace: return "replace";
    case ActionKind::remove: return "remove";
    case ActionKind::keep: return "keep";
    case ActionKind::unchanged: return "unchanged";
    }
    return "unchanged";
}

}  // namespace calzion::plan
