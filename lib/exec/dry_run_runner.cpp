#include "exec/dry_run_runner.hpp"

#include <ostream>

#include "exec/sequence.hpp"
#include "util/shell.hpp"

namespace calzion::exec {

namespace {

class FinishedProcess final : public Process {
public:
    std::optional<std::string> read_line(std::chrono::milliseconds) override { return std::nullopt; }
    Result finish() override { return Result{0, "", "", ""}; }
    bool write(std::string_view) override { return true; }
};

}  // namespace

Result DryRunRunner::run(const Command& command) {
    // The steps calzion runs as one script, each on its line as if run alone.
    auto steps = sequence_steps(command.argv);
    if (!steps.empty()) {
        for (auto& step : steps) {
            Command alone = command;
            alone.argv = std::move(step);
            run(alone);
        }
        return Result{0, "", "", ""};
    }
    std::string line = m_host + ": " + util::shell_join(command.argv);
    if (!command.input.empty()) {
        line += "  # reads " + std::to_string(command.input.size()) + " bytes from stdin";
    }
    std::lock_guard<std::mutex> guard(m_mutex);
    m_out << line << "\n";
    return Result{0, "", "", ""};
}

std::unique_ptr<Process> DryRunRunner::start(const Command& command) {
    run(command);
    return std::make_unique<FinishedProcess>();
}

Result DryRunRunner::attach(const Command& command, const Attach&) {
    return run(command);
}

}  // namespace calzion::exec
