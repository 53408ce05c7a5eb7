#include "state/fields.hpp"

#include <nlohmann/json.hpp>

#include "render/deployment_json.hpp"

namespace calzion::state {

std::map<std::string, std::string> fields_of(const render::RenderedService& service) {
    std::map<std::string, std::string> fields;
    const nlohmann::ordered_json json = render::service_to_json(service);
    for (const auto& [key, value] : json.items()) {
        // Not fields of the container: a change to them replaces nothing.
        if (key == "spec_hash" || key == "init" || key == "pull" || key == "routes") {
            continue;
        }
        // Through json, not ordered_json: objects in canonical (sorted) order.
        nlohmann::json field = nlohmann::json::parse(value.dump());
        if (key == "labels") {
            field.erase("io.calzion.revision");
            field.erase("io.calzion.spec-hash");
        }
        fields[key] = field.dump();
    }
    return fields;
}

}  // namespace calzion::state
