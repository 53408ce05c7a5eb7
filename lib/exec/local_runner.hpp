#pragma once

#include "exec/runner.hpp"

#include <memory>
#include <string>

namespace calzion::exec {

// Runs programs on this machine with Boost.Process, never through a shell. Output
// on both streams is read concurrently. A program that cannot be found ends with
// exit code 127 and one that cannot be executed with 126, as in a shell; the reason
// is in Result::err. When Command::timeout passes, the program is killed (SIGKILL)
// and run() throws Error(operation_failed). Safe to use from several threads.
//
// Command::keep_stdin_open keeps stdin open until the program ends.
//
// For start(), stdout feeds Process::read_line and stderr goes to the Result of
// finish() (Command::on_output is not used); Command::timeout bounds finish().
// Process::write queues more stdin, blocking while 1 MiB waits for the program.
class LocalRunner final : public Runner {
public:
    Result run(const Command& command) override;
    std::unique_ptr<Process> start(const Command& command) override;
    // The program shares calzion's terminal (stdin only if `how.stdin`), and
    // calzion ignores SIGINT and SIGQUIT until it ends, as system() does.
    Result attach(const Command& command, const Attach& how) override;
    const std::string& host() const override { return m_host; }

private:
    std::string m_host = "local";
};

}  // namespace calzion::exec
