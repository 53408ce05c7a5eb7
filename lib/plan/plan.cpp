// The planner. For each service the template wants, it looks at the containers
// that carry the instance's labels on the host and at the revision the host
// recorded, and picks exactly one action:
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
// A container is the service's own when it is named <instance>-<service>; other
// containers of the service (left by an interrupted deploy) are leftovers that
// the action cleans up. Containers of services no longer in the template are
// removed with --prune, else kept and reported.

#include "plan/plan.hpp"

#include <algorithm>

#include "docker/inspect.hpp"

namespace calzion::plan {

namespace {

std::vector<std::string> diff_fields(const Fields& desired, const state::RecordedService* recorded) {
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
                       const std::vector<docker::Container>& containers) {
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
}

std::string image_wanted(const render::RenderedService& service, const state::HostState& observed) {
    auto found = observed.image_ids.find(docker::normalize_reference(service.image));
    return found == observed.image_ids.end() ? std::string() : found->second;
}

void decide(Action& action, const render::RenderedService& service, const Fields& fields,
            const state::HostState& observed, const PlanOptions& options) {
    const state::RecordedService* recorded = observed.recorded_service(service.name);
    const auto& current = action.current;
    std::string wanted_image = image_wanted(service, observed);
    if (!current) {
        action.kind = ActionKind::create;
        action.reason = recorded ? "container missing" : "new service";
    } else if (current->spec_hash != service.spec_hash) {
        action.kind = ActionKind::replace;
        bool recorded_matches = recorded && recorded->spec_hash == current->spec_hash;
        action.changed_fields = diff_fields(fields, recorded_matches ? recorded : nullptr);
        action.reason = recorded_matches ? "spec changed" : "container differs from what calzion recorded";
    } else if (!wanted_image.empty() && !current->image_id.empty() && wanted_image != current->image_id) {
        action.kind = ActionKind::replace;
        action.reason = "image updated";
        action.changed_fields = {"image"};
    } else if (current->status != "running") {
        action.kind = ActionKind::replace;
        action.reason = "container is " + current->status;
    } else if (options.force) {
        action.kind = ActionKind::replace;
        action.reason = "forced";
    } else {
        action.kind = ActionKind::unchanged;
        action.reason = action.leftovers.empty() ? "up to date" : "up to date; leftover containers removed";
    }
}

void add_departed(Plan& plan, const render::Deployment& desired, const state::HostState& observed,
                  const PlanOptions& options) {
    std::map<std::string, Action> departed;
    for (const auto& container : observed.containers) {
        if (desired.find(container.service) != nullptr) {
            continue;
        }
        Action& action = departed[container.service];
        action.service = container.service;
        action.kind = options.prune ? ActionKind::remove : ActionKind::keep;
        action.reason = options.prune ? "no longer in the template"
                                      : "no longer in the template; deploy --prune removes it";
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
               action.kind == ActionKind::remove || (action.kind == ActionKind::unchanged && !action.leftovers.empty());
    });
}

const Action* Plan::find(const std::string& service) const {
    auto it = std::find_if(actions.begin(), actions.end(), [&](const Action& a) { return a.service == service; });
    return it == actions.end() ? nullptr : &*it;
}

Plan make_plan(const render::Deployment& desired, const std::map<std::string, Fields>& desired_fields,
               const state::HostState& observed, const PlanOptions& options) {
    Plan plan;
    static const Fields no_fields;
    for (const auto& service : desired.services) {
        Action action;
        action.service = service.name;
        action.desired = &service;
        assign_containers(action, service, observed.containers);
        auto fields = desired_fields.find(service.name);
        decide(action, service, fields == desired_fields.end() ? no_fields : fields->second, observed, options);
        plan.actions.push_back(std::move(action));
    }
    add_departed(plan, desired, observed, options);
    return plan;
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
