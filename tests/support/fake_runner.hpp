#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "exec/runner.hpp"

namespace calzion::test {

// A runner that runs nothing: it records every command and answers from a
// script of rules, first match wins; unmatched commands succeed with no output.
class FakeRunner final : public exec::Runner {
public:
    using Match = std::function<bool(const std::vector<std::string>& argv)>;
    using Answer = std::function<exec::Result(const exec::Command& command)>;

    explicit FakeRunner(std::string host = "fake") : m_host(std::move(host)) {}

    // Answer commands that `match` accepts with `result`.
    void on(Match match, exec::Result result);
    // Answer commands whose argv starts with `prefix` with `result`.
    void on_prefix(std::vector<std::string> prefix, exec::Result result);
    // Answer commands that `match` accepts by calling `answer` (outside the
    // runner's lock), which may block or throw as a real runner might.
    void on_call(Match match, Answer answer);
    // Call `raise` (which throws, like a broken transport or a bug) for commands
    // that `match` accepts, after recording them.
    void raise_on(Match match, std::function<void()> raise);

    exec::Result run(const exec::Command& command) override;
    std::unique_ptr<exec::Process> start(const exec::Command& command) override;
    const std::string& host() const override { return m_host; }

    // Every command run so far, in order; for started ones, Command::input also
    // holds what was written to them with Process::write.
    std::vector<exec::Command> commands() const;
    // The argv of every command, each joined with spaces, for readable asserts.
    std::vector<std::string> lines() const;

private:
    // Record `command`; return the answer and its index in m_commands.
    // Throws as a raise_on rule says.
    std::pair<exec::Result, size_t> record(const exec::Command& command);

    struct Rule {
        Match match;
        exec::Result result;
        Answer answer;  // set: called for the result
    };
    std::string m_host;
    std::vector<Rule> m_rules;
    mutable std::mutex m_mutex;
    std::vector<exec::Command> m_commands;
};

}  // namespace calzion::test
