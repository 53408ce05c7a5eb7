#include "swarm/plan_specs.hpp"

#include <algorithm>

#include "swarm/desired.hpp"
#include "swarm/secrets.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace calzion::swarm {

namespace {

// NAME -> Swarm secret of `service`'s secrets: from the values given, else
// the secrets its service mounts now. A name found in neither stays out (and
// desired_spec refuses it).
std::map<std::string, std::string> secrets_for(const render::RenderedService& service, const SwarmView& view,
                                               const backend::ApplyOptions& options, const std::string& instance,
                                               Preparation& preparation) {
    std::map<std::string, std::string> names;
    auto given = options.secrets.find(service.name);
    if (given != options.secrets.end()) {
        auto values = secret_values(given->second);
        for (const auto& name : service.secrets) {
            const std::string& value = values[name];
            names[name] = secret_name(instance, name, value);
            std::pair<std::string, std::string> secret{names[name], value};
            if (std::find(preparation.secrets.begin(), preparation.secrets.end(), secret) ==
                preparation.secrets.end()) {
                preparation.secrets.push_back(secret);
            }
        }
        return names;
    }
    auto current = view.services.find(service.container);
    if (current != view.services.end()) {
        for (const auto& ref : current->second.spec.secrets) {
            names[ref.target] = ref.name;
        }
    }
    return names;
}

void add_volumes(Preparation& preparation, const ServiceSpec& spec) {
    for (const auto& mount : spec.mounts) {
        auto& volumes = preparation.volumes;
        if (mount.type == "volume" && std::find(volumes.begin(), volumes.end(), mount.source) == volumes.end()) {
            volumes.push_back(mount.source);
        }
    }
}

// Swarm would leave the extra tasks pending for ever, and a rollback of
// them can stall the same way: refused before anything changes.
void check_host_ports(const ServiceSpec& spec, const std::string& service, size_t nodes) {
    auto fixed = std::find_if(spec.ports.begin(), spec.ports.end(), [](const PublishedPort& port) {
        return port.mode == "host" && port.published != 0;
    });
    if (fixed == spec.ports.end() || nodes == 0 || static_cast<size_t>(spec.replicas) <= nodes) {
        return;
    }
    throw Error(ErrorKind::invalid_data,
                "service " + util::quoted(service) + " wants " + std::to_string(spec.replicas) +
                    " replicas and publishes port " + std::to_string(fixed->published) +
                    " in host mode, which only one task per node can have, and the swarm has " +
                    std::to_string(nodes) + (nodes == 1 ? " node" : " nodes") +
                    ": scale it to at most that, or publish the port without a host port");
}

}  // namespace

bool changes_service(const plan::Action& action) {
    return action.desired != nullptr &&
           (action.kind == plan::ActionKind::create || action.kind == plan::ActionKind::replace);
}

PlannedSpecs plan_specs(const plan::Plan& plan, const render::Deployment& desired, const state::HostState& recorded,
                        const backend::ApplyOptions& options) {
    PlannedSpecs planned;
    planned.view = parse_view(recorded.observer_output, {});
    planned.preparation = {desired.network, desired.instance, recorded.state_dir, {}, {}};
    for (const auto& action : plan.actions) {
        if (!changes_service(action) && !(action.desired != nullptr && action.init)) {
            continue;
        }
        const render::RenderedService& service = *action.desired;
        SpecContext context{desired.instance, desired.network, recorded.state_dir, planned.view.ipvs,
                            secrets_for(service, planned.view, options, desired.instance, planned.preparation),
                            options.stable_seconds};
        ServiceSpec spec = desired_spec(service, context);
        check_host_ports(spec, service.name, planned.view.nodes.size());
        add_volumes(planned.preparation, spec);
        planned.specs.emplace(service.name, std::move(spec));
    }
    return planned;
}

}  // namespace calzion::swarm
