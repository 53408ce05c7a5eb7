#include "fake_runner.hpp"

#include <algorithm>
#include <sstream>

namespace calzion::test {

namespace {

// A started program that printed `output` and then ended with `result`.
class ScriptedProcess final : public exec::Process {
public:
    explicit ScriptedProcess(exec::Result result) : m_result(std::move(result)), m_lines(m_result.out) {}

    std::optional<std::string> read_line(std::chrono::milliseconds) override {
        std::string line;
        if (std::getline(m_lines, line)) {
            return line;
        }
        return std::nullopt;
    }
    exec::Result finish() override { return m_result; }

private:
    exec::Result m_result;
    std::istringstream m_lines;
};

}  // namespace

void FakeRunner::on(Match match, exec::Result result) { m_rules.push_back({std::move(match), std::move(result)}); }

void FakeRunner::on_prefix(std::vector<std::string> prefix, exec::Result result) {
    on([prefix](const std::vector<std::string>& argv) {
        return argv.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), argv.begin());
    }, std::move(result));
}

exec::Result FakeRunner::run(const exec::Command& command) {
    std::lock_guard<std::mutex> guard(m_mutex);
    m_commands.push_back(command);
    for (const auto& rule : m_rules) {
        if (rule.match(command.argv)) {
            return rule.result;
        }
    }
    return exec::Result{0, "", "", ""};
}

std::unique_ptr<exec::Process> FakeRunner::start(const exec::Command& command) {
    return std::make_unique<ScriptedProcess>(run(command));
}

std::vector<exec::Command> FakeRunner::commands() const {
    std::lock_guard<std::mutex> guard(m_mutex);
    return m_commands;
}

std::vector<std::string> FakeRunner::lines() const {
    std::vector<std::string> out;
    for (const auto& command : commands()) {
        std::string line;
        for (const auto& word : command.argv) {
            line += (line.empty() ? "" : " ") + word;
        }
        out.push_back(line);
    }
    return out;
}

}  // namespace calzion::test
