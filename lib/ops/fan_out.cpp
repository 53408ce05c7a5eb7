#include "ops/fan_out.hpp"

namespace calzion::ops {

std::vector<Connection> connect_all(Connector& connector, const std::vector<std::string>& hosts) {
    std::vector<Connection> connections(hosts.size());
    auto errors = exec::run_each(hosts.size(), k_host_limit, [&](size_t i) {
        connections[i].host = hosts[i];
        connections[i].runner = connector.connect(hosts[i]);
    });
    for (size_t i = 0; i < hosts.size(); ++i) {
        connections[i].host = hosts[i];
        if (errors[i]) {
            connections[i].error = on_host(*errors[i], hosts[i]);
        }
    }
    return connections;
}

}  // namespace calzion::ops
