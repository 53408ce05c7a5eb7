#include "fake_connector.hpp"

namespace calzion::test {

namespace {

// A connection to a fake host: every command goes to the host's FakeRunner.
class Connection final : public exec::Runner {
public:
    explicit Connection(FakeRunner& host) : m_host(host) {}
    exec::Result run(const exec::Command& command) override { return m_host.run(command); }
    std::unique_ptr<exec::Process> start(const exec::Command& command) override { return m_host.start(command); }
    const std::string& host() const override { return m_host.host(); }

private:
    FakeRunner& m_host;
};

}  // namespace

FakeRunner& FakeConnector::host(const std::string& name) {
    std::lock_guard<std::mutex> guard(m_mutex);
    auto& runner = m_hosts[name];
    if (!runner) {
        runner = std::make_unique<FakeRunner>(name);
    }
    return *runner;
}

void FakeConnector::refuse(const std::string& name, Error error) {
    std::lock_guard<std::mutex> guard(m_mutex);
    m_refusals.insert_or_assign(name, std::move(error));
}

int FakeConnector::connections(const std::string& name) const {
    std::lock_guard<std::mutex> guard(m_mutex);
    auto found = m_connections.find(name);
    return found == m_connections.end() ? 0 : found->second;
}

std::unique_ptr<exec::Runner> FakeConnector::connect(const std::string& name) {
    {
        std::lock_guard<std::mutex> guard(m_mutex);
        ++m_connections[name];
        auto refusal = m_refusals.find(name);
        if (refusal != m_refusals.end()) {
            throw refusal->second;
        }
    }
    return std::make_unique<Connection>(host(name));
}

}  // namespace calzion::test
