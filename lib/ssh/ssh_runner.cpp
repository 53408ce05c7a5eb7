#include "ssh/ssh_runner.hpp"

#include "exec/describe.hpp"
#include "exec/local_terminal.hpp"

#include "util/error.hpp"
#include "util/shell.hpp"

#include <cstdlib>
#include <unistd.h>
#include <utility>

namespace calzion::ssh {

namespace {

using exec::Command;
using exec::Result;
using exec::Stream;
using Clock = ChannelLoop::Clock;

using exec::describe;
using exec::seconds_text;

// Process::write blocks while this much written data waits for the connection.
constexpr size_t k_max_unsent = 1024 * 1024;

Error timeout_error(const Command& command, const std::string& host) {
    return Error(ErrorKind::operation_failed, "command \"" + describe(command.argv) + "\" timed out after " +
                                                  seconds_text(*command.timeout) + " s")
        .on_host(host);
}

std::string command_line(const Command& command) {
    if (command.argv.empty() || command.argv.front().empty()) {
        throw Error(ErrorKind::operation_failed, "cannot run an empty command");
    }
    return util::shell_join(command.argv);
}

std::optional<Clock::time_point> deadline_of(const Command& command) {
    if (!command.timeout) {
        return std::nullopt;
    }
    return Clock::now() + *command.timeout;
}

// Wait until `state` is closed or `deadline` passes (false). With `on_output`,
// hand over output as it arrives, outside the lock.
bool wait_closed(ChannelState& state, std::optional<Clock::time_point> deadline, const Command& command) {
    std::unique_lock lock(state.mutex);
    bool streaming = static_cast<bool>(command.on_output);
    auto ready = [&] { return state.closed || (streaming && (!state.out.empty() || !state.err.empty())); };
    for (;;) {
        if (streaming && (!state.out.empty() || !state.err.empty())) {
            std::string out = std::exchange(state.out, {});
            std::string err = std::exchange(state.err, {});
            lock.unlock();
            if (!out.empty()) {
                command.on_output(Stream::out, out);
            }
            if (!err.empty()) {
                command.on_output(Stream::err, err);
            }
            lock.lock();
            continue;
        }
        if (state.closed) {
            return true;
        }
        if (!deadline) {
            state.changed.wait(lock, ready);
        } else if (!state.changed.wait_until(lock, *deadline, ready)) {
            return false;
        }
    }
}

// The Result of a closed channel; throws its failure.
Result result_of(ChannelState& state) {
    std::lock_guard lock(state.mutex);
    if (state.failure) {
        throw *state.failure;
    }
    Result result;
    result.out = std::move(state.out);
    result.err = std::move(state.err);
    if (!state.exit_signal.empty()) {
        result.signal = state.exit_signal;
    } else {
        result.exit_code = state.exit_status;
    }
    return result;
}

class SshProcess final : public exec::Process {
public:
    SshProcess(std::shared_ptr<ChannelLoop> loop, std::shared_ptr<ChannelState> state, Command command)
        : m_loop(std::move(loop)), m_state(std::move(state)), m_command(std::move(command)) {
        m_command.on_output = nullptr;  // see SshRunner: stderr goes to finish()
        m_command.input.clear();        // the channel has its own copy to write
    }

    ~SshProcess() override {
        if (!m_finished) {
            {
                std::lock_guard lock(m_state->mutex);
                m_state->discard = true;
            }
            m_loop->close_stdin(m_state);
        }
    }

    std::optional<std::string> read_line(std::chrono::milliseconds timeout) override {
        std::unique_lock lock(m_state->mutex);
        std::string& out = m_state->out;
        m_state->changed.wait_for(lock, timeout,
                                  [&] { return m_state->closed || out.find('\n') != std::string::npos; });
        size_t newline = out.find('\n');
        if (newline != std::string::npos) {
            std::string line = out.substr(0, newline);
            out.erase(0, newline + 1);
            return line;
        }
        if (m_state->closed && !out.empty()) {
            return std::exchange(out, {});
        }
        return std::nullopt;
    }

    bool write(std::string_view data) override {
        {
            std::unique_lock lock(m_state->mutex);
            m_state->changed.wait(lock, [this] { return m_state->closed || m_state->unsent < k_max_unsent; });
            if (m_state->closed || m_finished) {
                return false;
            }
            m_state->unsent += data.size();
        }
        m_loop->write(m_state, std::string(data));
        return true;
    }

    Result finish() override {
        if (m_finished) {
            throw Error(ErrorKind::operation_failed, "program \"" + describe(m_command.argv) + "\" already finished");
        }
        m_finished = true;
        m_loop->close_stdin(m_state);
        if (!wait_closed(*m_state, deadline_of(m_command), m_command)) {
            m_loop->abandon(m_state);
            throw timeout_error(m_command, m_loop->target().label);
        }
        return result_of(*m_state);
    }

private:
    std::shared_ptr<ChannelLoop> m_loop;
    std::shared_ptr<ChannelState> m_state;
    Command m_command;
    bool m_finished = false;
};

}  // namespace

SshRunner::SshRunner(std::shared_ptr<ChannelLoop> loop) : m_loop(std::move(loop)) {}

Result SshRunner::run(const Command& command) {
    std::string line = command_line(command);
    auto deadline = deadline_of(command);
    auto state = m_loop->open(std::move(line), command.input, command.keep_stdin_open, /*counted=*/true, deadline);
    bool closed = false;
    if (state) {
        try {
            closed = wait_closed(*state, deadline, command);
        } catch (...) {
            m_loop->abandon(state);  // on_output threw
            throw;
        }
    }
    if (!closed) {
        if (state) {
            m_loop->abandon(state);
        }
        throw timeout_error(command, host());
    }
    return result_of(*state);
}

std::unique_ptr<exec::Process> SshRunner::start(const Command& command) {
    std::string line = command_line(command);
    auto state = m_loop->open(std::move(line), command.input, /*keep_stdin_open=*/true, /*counted=*/false,
                              std::nullopt);
    return std::make_unique<SshProcess>(m_loop, std::move(state), command);
}

Result SshRunner::attach(const Command& command, const exec::Attach& how) {
    std::string line = command_line(command);
    std::optional<Pty> pty;
    if (how.tty) {
        pty.emplace();
        const char* term = std::getenv("TERM");
        if (term != nullptr && *term != '\0') {
            pty->term = term;
        }
        if (auto size = exec::window_size(STDIN_FILENO)) {
            pty->columns = size->columns;
            pty->rows = size->rows;
        }
    }
    bool forward = how.stdin || how.tty;
    auto state = m_loop->open(std::move(line), command.input, forward, /*counted=*/false, std::nullopt, pty);
    Command streaming;
    streaming.on_output = [](Stream stream, std::string_view data) {
        exec::write_fully(stream == Stream::out ? STDOUT_FILENO : STDERR_FILENO, data);
    };
    {
        std::optional<exec::RawMode> raw;
        if (how.tty) {
            raw.emplace();
        }
        exec::InputSink sink{
            [&](std::string data) { m_loop->write(state, std::move(data)); },
            [&] { m_loop->close_stdin(state); },
            [&](exec::WindowSize size) { m_loop->resize(state, size.columns, size.rows); },
        };
        exec::InputPump pump(std::move(sink), forward, how.tty);
        wait_closed(*state, std::nullopt, streaming);
    }
    return result_of(*state);
}

}  // namespace calzion::ssh
