#include "pipeline/borrowed_runner.hpp"

namespace calzion::pipeline {

namespace {

// Forwards to a runner it does not own.
class BorrowedRunner final : public exec::Runner {
public:
    explicit BorrowedRunner(exec::Runner& runner) : m_runner(runner) {}
    exec::Result run(const exec::Command& command) override { return m_runner.run(command); }
    std::unique_ptr<exec::Process> start(const exec::Command& command) override { return m_runner.start(command); }
    exec::Result attach(const exec::Command& command, const exec::Attach& how) override {
        return m_runner.attach(command, how);
    }
    const std::string& host() const override { return m_runner.host(); }

private:
    exec::Runner& m_runner;
};

class BorrowingConnector final : public ops::Connector {
public:
    BorrowingConnector(std::shared_ptr<ops::Connector> others, exec::Runner& host)
        : m_others(std::move(others)), m_host(host) {}
    std::unique_ptr<exec::Runner> connect(const std::string& host) override {
        if (host == m_host.host()) {
            return std::make_unique<BorrowedRunner>(m_host);
        }
        return m_others->connect(host);
    }

private:
    std::shared_ptr<ops::Connector> m_others;
    exec::Runner& m_host;
};

}  // namespace

std::shared_ptr<ops::Connector> borrowing_connector(std::shared_ptr<ops::Connector> others, exec::Runner& host) {
    return std::make_shared<BorrowingConnector>(std::move(others), host);
}

}  // namespace calzion::pipeline
