#include "output/destroy.hpp"

#include <nlohmann/json.hpp>

#include "output/error_field.hpp"

namespace calzion::output {

using nlohmann::ordered_json;

namespace {

// Empty when the host failed before destroy got that far.
ordered_json named(const std::string& name) {
    return name.empty() ? ordered_json(nullptr) : ordered_json(name);
}

ordered_json volumes_json(const std::vector<backend::NamedVolume>& volumes) {
    ordered_json out = ordered_json::array();
    for (const auto& volume : volumes) {
        out.push_back({{"name", volume.name},
                       {"removed", volume.removed},
                       {"kept_because", volume.removed ? ordered_json(nullptr) : ordered_json(volume.kept_because)}});
    }
    return out;
}

const char* data_text(deploy::DestroyOutcome::Data data) {
    switch (data) {
    case deploy::DestroyOutcome::Data::kept: return "kept";
    case deploy::DestroyOutcome::Data::partly_kept: return "partly kept";
    case deploy::DestroyOutcome::Data::removed: return "removed";
    }
    return "kept";
}

}  // namespace

std::string destroy_json(const std::vector<deploy::DestroyOutcome>& outcomes, const std::string& instance,
                         bool volumes) {
    ordered_json hosts = ordered_json::array();
    for (const auto& outcome : outcomes) {
        hosts.push_back({{"host", outcome.host},
                         {"missing", outcome.missing},
                         {"containers", outcome.containers},
                         {"network", {{"name", named(outcome.network)}, {"removed", outcome.network_removed}}},
                         {"named_volumes", volumes_json(outcome.named_volumes)},
                         {"data", data_text(outcome.data)},
                         {"instance_dir",
                          {{"path", named(outcome.instance_dir)}, {"removed", outcome.instance_dir_removed}}},
                         {"error", error_field(outcome.error)}});
    }
    return ordered_json{{"instance", instance}, {"volumes", volumes}, {"hosts", hosts}}.dump(2) + "\n";
}

}  // namespace calzion::output
