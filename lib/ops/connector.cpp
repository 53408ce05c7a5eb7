#include "ops/connector.hpp"

#include "exec/local_runner.hpp"

namespace calzion::ops {

std::unique_ptr<exec::Runner> HostConnector::connect(const std::string& host) {
    auto named = m_addresses.find(host);
    const std::string& address = named == m_addresses.end() ? host : named->second;
    if (address == "local") {
        return std::make_unique<exec::LocalRunner>();
    }
    ssh::Options options = m_ssh;
    options.label = host;
    return ssh::connect(address, options);
}

}  // namespace calzion::ops
