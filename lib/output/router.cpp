#include "output/router.hpp"

#include <nlohmann/json.hpp>

#include "output/error_field.hpp"
#include "util/strings.hpp"

namespace calzion::output {

std::string router_sync_json(const std::vector<deploy::RouterOutcome>& outcomes) {
    nlohmann::ordered_json hosts = nlohmann::ordered_json::array();
    for (const auto& outcome : outcomes) {
        const router::SyncResult& result = outcome.result;
        hosts.push_back({{"host", outcome.host},
                         {"domains", result.domains},
                         {"created", result.created},
                         {"started", result.started},
                         {"reloaded", result.reloaded},
                         {"removed", result.removed},
                         {"connected", result.connected},
                         {"disconnected", result.disconnected},
                         {"error", error_field(outcome.error)}});
    }
    return nlohmann::ordered_json{{"hosts", hosts}}.dump(2) + "\n";
}

}  // namespace calzion::output
