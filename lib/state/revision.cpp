#include "state/revision.hpp"

#include <nlohmann/json.hpp>

#include "render/deployment_json.hpp"

namespace calzion::state {

using nlohmann::ordered_json;

namespace {

// The recorded services of the current revision, by name.
std::map<std::string, ordered_json> recorded_by_name(const HostState& observed) {
    std::map<std::string, ordered_json> services;
    if (observed.revision_json.empty()) {
        return services;
    }
    ordered_json document = ordered_json::parse(observed.revision_json, nullptr, false);
    if (document.is_discarded() || !document.contains("deployment")) {
        return services;
    }
    for (const auto& item : document["deployment"].value("services", ordered_json::array())) {
        services[item.value("name", "")] = item;
    }
    return services;
}

}  // namespace

std::string actual_deployment_json(const render::Deployment& next, const std::set<std::string>& current,
                                   const std::set<std::string>& kept, const HostState& observed) {
    ordered_json document = render::deployment_to_json(next);
    auto recorded = recorded_by_name(observed);
    ordered_json services = ordered_json::array();
    for (const auto& service : next.services) {
        if (current.count(service.name)) {
            services.push_back(render::service_to_json(service));
        } else if (auto old = recorded.find(service.name); old != recorded.end()) {
            services.push_back(old->second);
        }
    }
    for (const auto& name : kept) {
        if (auto old = recorded.find(name); old != recorded.end()) {
            services.push_back(old->second);
        }
    }
    document["services"] = services;
    return document.dump();
}

RevisionOutcome current_outcome(const HostState& observed) {
    ordered_json document = ordered_json::parse(observed.revision_json, nullptr, false);
    if (observed.revision_json.empty() || document.is_discarded() || !document.is_object()) {
        return {};
    }
    auto text = [&](const char* key) {
        return document.contains(key) && document[key].is_string() ? document[key].get<std::string>() : "";
    };
    return {text("command"), text("status"), text("message")};
}

}  // namespace calzion::state
