#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace calzion::exec {

enum class Stream { out, err };

// A program to run on a host: an argv, never a shell string. Runners that need a
// shell (SSH) quote it with util::shell_join, the one place that does so.
struct Command {
    std::vector<std::string> argv;
    std::string input;  // written to the program's stdin, which is then closed
    // Give up after this long: the program is abandoned and run() throws.
    std::optional<std::chrono::milliseconds> timeout;
    // When set, output is handed over in chunks as it arrives (for `logs -f`)
    // instead of being collected into Result::out and Result::err.
    std::function<void(Stream, std::string_view)> on_output;
    // Keep stdin open after `input` until the program ends, rather than closing
    // it: a program that watches its stdin then learns when calzion or the
    // connection is gone (see docker::follow_logs_argv).
    bool keep_stdin_open = false;
};

// How attach() wires a program to calzion's own terminal.
struct Attach {
    bool tty = false;    // run it on a terminal allocated on the host (`ssh -t`)
    bool stdin = false;  // copy calzion's stdin to it (always with `tty`)
};

// How a program ended, and what it printed.
struct Result {
    int exit_code = -1;   // meaningful when `signal` is empty
    std::string signal;   // e.g. "KILL" when the program died of a signal
    std::string out;
    std::string err;

    bool ok() const { return signal.empty() && exit_code == 0; }
};

// A program left running while calzion does other work: the holder of a host lock
// keeps one open, so that the lock dies with calzion or with the connection.
class Process {
public:
    virtual ~Process() = default;  // closes stdin; the program is not waited for

    // Return the next line the program wrote to stdout, without its newline;
    // nullopt at end of output or when `timeout` passes first.
    virtual std::optional<std::string> read_line(std::chrono::milliseconds timeout) = 0;
    // Close the program's stdin and wait for it to end.
    virtual Result finish() = 0;
    // Write `data` to the program's stdin, after Command::input and what earlier
    // calls wrote, for a stream too big to hold (see exec::pipe). Blocks while
    // much written data has not reached the program yet, so that a fast writer
    // cannot outrun a slow program or connection. Returns false, dropping
    // `data`, once the program has ended or its stdin is gone. Processes that
    // cannot take more input throw Error(operation_failed).
    virtual bool write(std::string_view data);
};

// Runs programs on one host. Implementations: local (Boost.Process), SSH (libssh),
// dry-run (records and prints). All of calzion's I/O with a host goes through here.
class Runner {
public:
    virtual ~Runner() = default;

    // Run `command` and wait for it to end. Safe to call from several threads at
    // once. A non-zero exit is a Result, not an exception; a broken transport
    // (connection lost, timeout) throws calzion::Error.
    virtual Result run(const Command& command) = 0;

    // Start `command` and return at once; its stdin stays open until the Process
    // is finished or destroyed. `command.input` is written first.
    virtual std::unique_ptr<Process> start(const Command& command) = 0;

    // Run `command` with calzion's own stdout and stderr (and stdin, as `how`
    // says), the way `ssh [-t] host command` does, and return how it ended;
    // Result::out and Result::err stay empty. Runners that cannot throw
    // Error(operation_failed).
    virtual Result attach(const Command& command, const Attach& how);

    // The host's name for messages: "local", or the host as the user wrote it.
    virtual const std::string& host() const = 0;
};

}  // namespace calzion::exec
