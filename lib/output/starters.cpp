#include "output/starters.hpp"

#include <nlohmann/json.hpp>

namespace calzion::output {

using nlohmann::ordered_json;

std::string init_json(const std::string& file, const std::string& starter, bool overwritten) {
    return ordered_json{{"file", file}, {"starter", starter}, {"overwritten", overwritten}}.dump(2) + "\n";
}

std::string starters_json(const std::vector<tmpl::EmbeddedStarter>& starters) {
    ordered_json items = ordered_json::array();
    for (const auto& starter : starters) {
        items.push_back({{"name", starter.name}, {"description", tmpl::starter_description(starter)}});
    }
    return ordered_json{{"starters", items}}.dump(2) + "\n";
}

}  // namespace calzion::output
