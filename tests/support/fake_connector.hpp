#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "fake_runner.hpp"
#include "ops/connector.hpp"
#include "util/error.hpp"

namespace calzion::test {

// Fake hosts for the orchestrators: each host is a FakeRunner named after it,
// made on first use and kept, so that a test scripts it before and reads what
// ran on it after. A host can be made unreachable, or its connect made to throw.
class FakeConnector final : public ops::Connector {
public:
    // The fake runner behind `host`.
    FakeRunner& host(const std::string& name);
    // Connecting to `host` throws `error`.
    void refuse(const std::string& host, Error error);
    // How many times `host` was connected to.
    int connections(const std::string& host) const;

    std::unique_ptr<exec::Runner> connect(const std::string& host) override;

private:
    mutable std::mutex m_mutex;
    std::map<std::string, std::unique_ptr<FakeRunner>> m_hosts;
    std::map<std::string, Error> m_refusals;
    std::map<std::string, int> m_connections;
};

}  // namespace calzion::test
