#pragma once

#include <iosfwd>
#include <mutex>

#include "exec/runner.hpp"

namespace calzion::exec {

// Runs nothing: prints each command, exactly as the host's shell would receive
// it, and reports success. `deploy --dry-run` applies its plan through this.
class DryRunRunner final : public Runner {
public:
    DryRunRunner(std::string host, std::ostream& out) : m_host(std::move(host)), m_out(out) {}

    Result run(const Command& command) override;
    std::unique_ptr<Process> start(const Command& command) override;
    Result attach(const Command& command, const Attach& how) override;
    const std::string& host() const override { return m_host; }

private:
    std::string m_host;
    std::ostream& m_out;
    std::mutex m_mutex;
};

}  // namespace calzion::exec
