#include "fake_runner.hpp"

#include <algorithm>
#include <utility>
#include <sstream>

namespace calzion::test {

namespace {

// A started program that printed `output` and then ended with `result`.
class ScriptedProcess final : public exec::Process {
public:
    using Sink = std::function<void(std::string_view)>;
    ScriptedProcess(exec::Result result, Sink sink)
        : m_result(std::move(result)), m_lines(m_result.out), m_sink(std::move(sink)) {}

    std::optional<std::string> read_line(std::chrono::milliseconds) override {
        std::string line;
        if (std::getline(m_lines, line)) {
            return line;
        }
        return std::nullopt;
    }
    // Like the real runners: what read_line took is no longer part of the output.
    exec::Result finish() override {
        exec::Result result = m_result;
        result.out = m_lines.eof() ? "" : m_result.out.substr(static_cast<size_t>(m_lines.tellg()));
        return result;
    }
    bool write(std::string_view data) override {
        m_sink(data);
        return true;
    }

private:
    exec::Result m_result;
    std::istringstream m_lines;
    Sink m_sink;
};

}  // namespace

void FakeRunner::on(Match match, exec::Result result) { m_rules.push_back({std::move(match), std::move(result), {}}); }

void FakeRunner::on_call(Match match, Answer answer) {
    m_rules.push_back({std::move(match), exec::Result{0, "", "", ""}, std::move(answer)});
}

void FakeRunner::raise_on(Match match, std::function<void()> raise) {
    on_call(std::move(match), [raise = std::move(raise)](const exec::Command&) -> exec::Result {
        raise();
        return exec::Result{0, "", "", ""};
    });
}

void FakeRunner::on_prefix(std::vector<std::string> prefix, exec::Result result) {
    on([prefix](const std::vector<std::string>& argv) {
        return argv.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), argv.begin());
    }, std::move(result));
}

std::pair<exec::Result, size_t> FakeRunner::record(const exec::Command& command) {
    Answer answer;
    std::pair<exec::Result, size_t> recorded{exec::Result{0, "", "", ""}, 0};
    {
        std::lock_guard<std::mutex> guard(m_mutex);
        m_commands.push_back(command);
        recorded.second = m_commands.size() - 1;
        auto rule = std::find_if(m_rules.begin(), m_rules.end(), [&](const Rule& r) { return r.match(command.argv); });
        if (rule != m_rules.end()) {
            recorded.first = rule->result;
            answer = rule->answer;
        }
    }
    if (answer) {
        recorded.first = answer(command);
    }
    return recorded;
}

exec::Result FakeRunner::run(const exec::Command& command) {
    exec::Result result = record(command).first;
    // Like the real runners: with on_output, the output is handed over, not collected.
    if (command.on_output) {
        if (!result.out.empty()) {
            command.on_output(exec::Stream::out, std::exchange(result.out, {}));
        }
        if (!result.err.empty()) {
            command.on_output(exec::Stream::err, std::exchange(result.err, {}));
        }
    }
    return result;
}

std::unique_ptr<exec::Process> FakeRunner::start(const exec::Command& command) {
    auto [result, index] = record(command);
    // What is streamed to the program joins its recorded input.
    return std::make_unique<ScriptedProcess>(std::move(result), [this, index = index](std::string_view data) {
        std::lock_guard<std::mutex> guard(m_mutex);
        m_commands[index].input.append(data);
    });
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
