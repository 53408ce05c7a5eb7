#include "state/fields.hpp"

#include <nlohmann/json.hpp>

#include "render/deployment_json.hpp"

namespace calzion::state {

std::map<std::string, std::string> fields_of(const nlohmann::json& recorded_service) {
    std::map<std::string, std::string> fields;
    for (const auto& [key, value] : recorded_service.items()) {
        // Not fields of the container: a change to them replaces nothing.
        if (key == "spec_hash" || key == "init" || key == "pull" || key == "routes") {
            continue;
        }
        if (key == "labels" && value.is_object()) {
            nlohmann::json labels = value;
            labels.erase("io.calzion.revision");
            labels.erase("io.calzion.spec-hash");
            fields[key] = labels.dump();
            continue;
        }
        fields[key] = value.dump();
    }
    return fields;
}

std::map<std::string, std::string> fields_of(const render::RenderedService& service) {
    // Through the same JSON as the recorded side, so that both compare alike.
    return fields_of(nlohmann::json::parse(render::service_to_json(service).dump()));
}

}  // namespace calzion::state
