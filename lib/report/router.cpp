#include "report/router.hpp"

#include <nlohmann/json.hpp>

#include "report/error_field.hpp"
#include "util/strings.hpp"

namespace calzion::report {

namespace {

}  // namespace

std::string router_summary(const router::SyncResult& result) {
    if (result.domains.empty()) {
        return result.removed ? "removed: no instance routes a domain" : "none: no instance routes a domain";
    }
    size_t count = result.domains.size();
    std::string text = "serves " + std::to_string(count) + (count == 1 ? " domain (" : " domains (") +
                       util::comma_list(result.domains) + "): ";
    std::vector<std::string> changes;
    if (result.created) {
        changes.push_back("created");
    }
    if (result.started) {
        changes.push_back("started");
    }
    if (result.reloaded) {
        changes.push_back("reloaded");
    }
    if (!result.connected.empty()) {
        changes.push_back("joined " + util::comma_list(result.connected));
    }
    if (!result.disconnected.empty()) {
        changes.push_back("left " + util::comma_list(result.disconnected));
    }
    return text + (changes.empty() ? "unchanged" : util::comma_list(changes));
}

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

}  // namespace calzion::report
