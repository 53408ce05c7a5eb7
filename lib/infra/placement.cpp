#include "infra/placement.hpp"

#include <algorithm>

#include "util/sha256.hpp"

namespace calzion::infra {

namespace {

bool uses(const Instance& instance, const std::string& host) {
    return std::find(instance.hosts.begin(), instance.hosts.end(), host) != instance.hosts.end();
}

}  // namespace

std::map<std::string, std::string> place(const std::vector<std::string>& services, const Instance& instance,
                                         const std::map<std::string, std::vector<std::string>>& current) {
    std::map<std::string, std::string> placed;
    std::map<std::string, int> load;
    for (const auto& host : instance.hosts) {
        load[host] = 0;
    }
    auto assign = [&](const std::string& service, const std::string& host) {
        placed[service] = host;
        ++load[host];
    };
    for (const auto& service : services) {
        auto explicit_place = instance.place.find(service);
        if (explicit_place != instance.place.end()) {
            assign(service, explicit_place->second);
        }
    }
    for (const auto& service : services) {
        auto running = current.find(service);
        if (placed.count(service) != 0 || running == current.end()) {
            continue;
        }
        for (const auto& host : instance.hosts) {
            if (std::find(running->second.begin(), running->second.end(), host) != running->second.end()) {
                assign(service, host);
                break;
            }
        }
    }
    for (const auto& service : services) {
        if (placed.count(service) != 0 || instance.hosts.empty()) {
            continue;
        }
        std::string best;
        std::string best_hash;
        for (const auto& host : instance.hosts) {
            std::string hash = util::sha256_hex(service + "@" + host);
            if (best.empty() || load[host] < load[best] || (load[host] == load[best] && hash > best_hash)) {
                best = host;
                best_hash = hash;
            }
        }
        assign(service, best);
    }
    std::erase_if(placed, [&](const auto& entry) { return !uses(instance, entry.second); });
    return placed;
}

}  // namespace calzion::infra
