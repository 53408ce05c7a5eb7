// The only translation unit that includes Boost.Process: it is heavy to compile.
#include "exec/local_runner.hpp"

#include "exec/describe.hpp"

#include "util/error.hpp"
#include "util/shell.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/process.hpp>
#include <boost/process/extend.hpp>

#include <array>
#include <cerrno>
#include <condition_variable>
#include <csignal>
#include <cstring>
#include <deque>
#include <exception>
#include <fcntl.h>
#include <mutex>
#include <pthread.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace calzion::exec {

namespace {

namespace asio = boost::asio;
namespace bp = boost::process;
using Clock = std::chrono::steady_clock;

constexpr size_t k_chunk_size = 64 * 1024;
// Process::write blocks while this much written data waits for the program.
constexpr size_t k_max_unsent = 1024 * 1024;
using exec::describe;
using exec::seconds_text;

Error timeout_error(const Command& command) {
    return Error(ErrorKind::operation_failed, "command \"" + describe(command.argv) + "\" timed out after " +
                                                  seconds_text(*command.timeout) + " s");
}

void require_program(const Command& command) {
    if (command.argv.empty() || command.argv.front().empty()) {
        throw Error(ErrorKind::operation_failed, "cannot run an empty command");
    }
}

std::string signal_name(int signal) {
    const char* abbreviation = sigabbrev_np(signal);
    return abbreviation != nullptr ? abbreviation : std::to_string(signal);
}

// Fill in how the program ended from its wait status.
void decode_status(int status, Result& result) {
    if (WIFEXITED(status)) {
        result.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        result.signal = signal_name(WTERMSIG(status));
    }
}

std::string lowercase_first(std::string text) {
    if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z') {
        text[0] = static_cast<char>(text[0] - 'A' + 'a');
    }
    return text;
}

// Writing to a program that has already exited raises SIGPIPE, which would end
// calzion. Block it in this thread while the pipes are in use (the write then
// fails with EPIPE) and discard any that arrived before unblocking again.
class SigpipeBlock {
public:
    SigpipeBlock() {
        sigset_t pipe_only;
        sigemptyset(&pipe_only);
        sigaddset(&pipe_only, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipe_only, &m_previous);
    }
    ~SigpipeBlock() {
        if (sigismember(&m_previous, SIGPIPE) == 0) {
            sigset_t pipe_only;
            sigemptyset(&pipe_only);
            sigaddset(&pipe_only, SIGPIPE);
            timespec no_wait{0, 0};
            while (sigtimedwait(&pipe_only, nullptr, &no_wait) > 0) {
            }
        }
        pthread_sigmask(SIG_SETMASK, &m_previous, nullptr);
    }
    SigpipeBlock(const SigpipeBlock&) = delete;
    SigpipeBlock& operator=(const SigpipeBlock&) = delete;

private:
    sigset_t m_previous;
};

// Keep our ends of the pipes out of programs other code in this process starts.
void set_close_on_exec(bp::async_pipe& pipe) {
    for (int fd : {pipe.native_source(), pipe.native_sink()}) {
        ::fcntl(fd, F_SETFD, ::fcntl(fd, F_GETFD) | FD_CLOEXEC);
    }
}

// In the child, between fork and exec: give SIGPIPE back its default behaviour,
// whatever calzion does with it, and let no descriptor but stdin, stdout and
// stderr survive the exec (sockets and pipes of other work in this process).
void prepare_exec() {
    std::signal(SIGPIPE, SIG_DFL);
    sigset_t pipe_only;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_UNBLOCK, &pipe_only, nullptr);
    if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
        long limit = std::min(::sysconf(_SC_OPEN_MAX), 65536L);
        for (int fd = 3; fd < limit; ++fd) {
            ::fcntl(fd, F_SETFD, FD_CLOEXEC);
        }
    }
}

// The program to execute: argv[0] as a path if it has a slash, else from PATH.
boost::filesystem::path resolve_program(const std::string& name) {
    if (name.find('/') != std::string::npos) {
        return boost::filesystem::path(name);
    }
    return bp::search_path(name);
}

// One child program with its three pipes, driven by an io_context that its owner
// runs: both output streams are read concurrently, `input` is written to stdin,
// and once both streams have ended the program is reaped without blocking the
// io_context (so that a kill can still be handled).
class Child {
public:
    using Deliver = std::function<void(Stream, std::string_view)>;

    Child(const Command& command, Deliver deliver, bool keep_stdin_open)
        : m_input(command.input), m_deliver(std::move(deliver)), m_keep_stdin_open(keep_stdin_open) {
        set_close_on_exec(m_in);
        set_close_on_exec(m_out);
        set_close_on_exec(m_err);
        spawn(command.argv);
    }

    // Set when the program could not be started: a Result like a shell's.
    const std::optional<Result>& spawn_failure() const { return m_spawn_failure; }
    asio::io_context& io() { return m_io; }
    // Called on the io thread once the program has ended and been reaped.
    void on_exit(std::function<void()> callback) { m_on_exit = std::move(callback); }
    int status() const { return m_status; }

    // Queue the reads and the write of the input; the owner then runs io().
    void begin() {
        read(m_out, m_out_buffer, Stream::out);
        read(m_err, m_err_buffer, Stream::err);
        if (!m_input.empty()) {
            m_queue.push_back({std::exchange(m_input, {}), false});
        }
        write_next();
    }

    // On the io thread: write `data` to stdin after what is queued. `on_written`
    // hears its size once it has been written or dropped (stdin gone).
    void feed(std::string data) {
        if (m_stdin_closed) {
            written({std::move(data), true});
            return;
        }
        m_queue.push_back({std::move(data), true});
        if (!m_writing) {
            write_next();
        }
    }
    // Called on the io thread with the size of each fed piece once it is written.
    void on_written(std::function<void(size_t)> callback) { m_on_written = std::move(callback); }

    // On the io thread: close stdin once everything queued is written.
    void close_stdin() {
        m_close_requested = true;
        if (!m_writing) {
            close_input();
        }
    }

    // On the io thread: kill the program and stop reading from it.
    void kill() {
        std::error_code ignored;
        if (m_child && m_child->running(ignored)) {
            m_child->terminate(ignored);
        }
        close_input();
        close_quietly(m_out);
        close_quietly(m_err);
    }

private:
    // A piece of stdin; `fed` when it came through feed() rather than as input.
    struct Piece {
        std::string data;
        bool fed = false;
    };

    void spawn(const std::vector<std::string>& argv) {
        boost::filesystem::path program = resolve_program(argv.front());
        if (program.empty()) {
            m_spawn_failure = Result{127, {}, {}, "calzion: \"" + argv.front() + "\": command not found\n"};
            return;
        }
        std::vector<std::string> args(argv.begin() + 1, argv.end());
        std::error_code error;
        m_child = std::make_unique<bp::child>(program, bp::args = args, bp::std_in < m_in, bp::std_out > m_out,
                                              bp::std_err > m_err, 
                                              bp::extend::on_exec_setup = [](auto&) { prepare_exec(); }, error);
        if (error) {
            int code = error.value() == ENOENT ? 127 : 126;
            m_spawn_failure = Result{code, {}, {},
                                     "calzion: cannot execute \"" + argv.front() + "\": " +
                                         lowercase_first(error.message()) + "\n"};
            m_child.reset();
        }
    }

    void read(bp::async_pipe& pipe, std::array<char, k_chunk_size>& buffer, Stream stream) {
        pipe.async_read_some(asio::buffer(buffer),
                             [this, &pipe, &buffer, stream](const boost::system::error_code& error, size_t size) {
                                 if (size > 0) {
                                     m_deliver(stream, std::string_view(buffer.data(), size));
                                 }
                                 if (error) {
                                     stream_ended();
                                 } else {
                                     read(pipe, buffer, stream);
                                 }
                             });
    }

    // Write the queue's first piece, then the next; once it is empty, close stdin
    // unless it is to stay open. After a failed write (the program closed its
    // stdin or ended) the rest is dropped.
    void write_next() {
        if (m_stdin_closed) {
            m_writing = false;
            drop_queue();
            return;
        }
        if (m_queue.empty()) {
            m_writing = false;
            if (!m_keep_stdin_open || m_close_requested) {
                close_input();
            }
            return;
        }
        m_writing = true;
        asio::async_write(m_in, asio::buffer(m_queue.front().data),
                          [this](const boost::system::error_code& error, size_t) {
                              written(m_queue.front());
                              m_queue.pop_front();
                              if (error) {
                                  close_input();
                              }
                              write_next();
                          });
    }

    void written(const Piece& piece) {
        if (piece.fed && m_on_written) {
            m_on_written(piece.data.size());
        }
    }

    // Close stdin; what was still to be written is dropped (a write under way
    // ends with an error and drops the rest).
    void close_input() {
        m_stdin_closed = true;
        close_quietly(m_in);
        if (!m_writing) {
            drop_queue();
        }
    }

    void drop_queue() {
        for (const auto& piece : m_queue) {
            written(piece);
        }
        m_queue.clear();
    }

    void stream_ended() {
        if (--m_open_streams == 0) {
            poll_exit();
        }
    }

    // Output has ended, which nearly always means the program has too: check at
    // once, then at growing intervals, on the io_context rather than in waitpid.
    void poll_exit() {
        std::error_code error;
        if (!m_child->running(error)) {
            m_status = m_child->native_exit_code();
            close_input();
            if (m_on_exit) {
                m_on_exit();
            }
            return;
        }
        m_exit_timer.expires_after(m_poll_delay);
        m_poll_delay = std::min(m_poll_delay * 2, std::chrono::milliseconds(50));
        m_exit_timer.async_wait([this](const boost::system::error_code& cancelled) {
            if (!cancelled) {
                poll_exit();
            }
        });
    }

    static void close_quietly(bp::async_pipe& pipe) {
        boost::system::error_code ignored;
        pipe.close(ignored);
    }

    asio::io_context m_io;
    bp::async_pipe m_in{m_io};
    bp::async_pipe m_out{m_io};
    bp::async_pipe m_err{m_io};
    asio::steady_timer m_exit_timer{m_io};
    std::unique_ptr<bp::child> m_child;
    std::optional<Result> m_spawn_failure;
    std::array<char, k_chunk_size> m_out_buffer{};
    std::array<char, k_chunk_size> m_err_buffer{};
    std::string m_input;
    std::deque<Piece> m_queue;
    Deliver m_deliver;
    std::function<void()> m_on_exit;
    std::function<void(size_t)> m_on_written;
    bool m_keep_stdin_open;
    bool m_writing = false;
    bool m_stdin_closed = false;
    bool m_close_requested = false;
    int m_open_streams = 2;
    int m_status = 0;
    std::chrono::milliseconds m_poll_delay{1};
};

// What the io thread of a started program shares with the Process handle.
struct StartedState {
    std::mutex mutex;
    std::condition_variable changed;
    std::string out;  // stdout not yet taken by read_line
    std::string err;
    size_t unsent = 0;  // bytes given to write() and not yet written to the program
    bool ended = false;
    int status = 0;
    std::exception_ptr failure;  // thrown on the io thread
};

class LocalProcess final : public Process {
public:
    LocalProcess(std::shared_ptr<Child> child, std::shared_ptr<StartedState> state, Command command)
        : m_child(std::move(child)), m_state(std::move(state)), m_command(std::move(command)) {
        m_command.input.clear();  // the Child has its own copy to write
        m_thread = std::thread([child = m_child, state = m_state] { drive(*child, *state); });
    }

    ~LocalProcess() override {
        if (m_thread.joinable()) {
            post_to_child([](Child& child) { child.close_stdin(); });
            m_thread.detach();
        }
    }

    std::optional<std::string> read_line(std::chrono::milliseconds timeout) override {
        std::unique_lock lock(m_state->mutex);
        m_state->changed.wait_for(lock, timeout, [this] {
            return m_state->ended || m_state->out.find('\n') != std::string::npos;
        });
        std::string& out = m_state->out;
        size_t newline = out.find('\n');
        if (newline != std::string::npos) {
            std::string line = out.substr(0, newline);
            out.erase(0, newline + 1);
            return line;
        }
        if (m_state->ended && !out.empty()) {
            return std::exchange(out, {});
        }
        return std::nullopt;
    }

    bool write(std::string_view data) override {
        {
            std::unique_lock lock(m_state->mutex);
            m_state->changed.wait(lock, [this] { return m_state->ended || m_state->unsent < k_max_unsent; });
            if (m_state->ended || !m_thread.joinable()) {
                return false;
            }
            m_state->unsent += data.size();
        }
        asio::post(m_child->io(), [child = m_child.get(), piece = std::string(data)]() mutable {
            child->feed(std::move(piece));
        });
        return true;
    }

    Result finish() override {
        if (!m_thread.joinable()) {
            throw Error(ErrorKind::operation_failed, "program \"" + describe(m_command.argv) + "\" already finished");
        }
        post_to_child([](Child& child) { child.close_stdin(); });
        bool timed_out = !wait_for_end();
        if (timed_out) {
            post_to_child([](Child& child) { child.kill(); });
            wait_for_end();
        }
        m_thread.join();
        if (timed_out) {
            throw timeout_error(m_command);
        }
        std::lock_guard lock(m_state->mutex);
        if (m_state->failure) {
            std::rethrow_exception(m_state->failure);
        }
        Result result;
        decode_status(m_state->status, result);
        result.out = std::move(m_state->out);
        result.err = std::move(m_state->err);
        return result;
    }

private:
    static void drive(Child& child, StartedState& state) {
        SigpipeBlock guard;
        try {
            child.io().run();
        } catch (...) {
            child.kill();
            std::lock_guard lock(state.mutex);
            state.failure = std::current_exception();
        }
        std::lock_guard lock(state.mutex);
        state.status = child.status();
        state.ended = true;
        state.changed.notify_all();
    }

    // Run `action` on the io thread. A plain pointer: handlers only run inside
    // io().run(), on the thread that owns the Child, and a handler queued after the
    // program ended is destroyed with the Child (a shared_ptr would keep it alive).
    template <class Action>
    void post_to_child(Action action) {
        asio::post(m_child->io(), [child = m_child.get(), action] { action(*child); });
    }

    // Wait until the program has ended; false if Command::timeout passed first.
    bool wait_for_end() {
        std::unique_lock lock(m_state->mutex);
        auto ended = [this] { return m_state->ended; };
        if (!m_command.timeout) {
            m_state->changed.wait(lock, ended);
            return true;
        }
        return m_state->changed.wait_for(lock, *m_command.timeout, ended);
    }

    std::shared_ptr<Child> m_child;
    std::shared_ptr<StartedState> m_state;
    Command m_command;
    std::thread m_thread;
};

// A Process for a program that could not be started: it ended at once.
class FailedProcess final : public Process {
public:
    explicit FailedProcess(Result result) : m_result(std::move(result)) {}
    std::optional<std::string> read_line(std::chrono::milliseconds) override { return std::nullopt; }
    Result finish() override { return m_result; }
    bool write(std::string_view) override { return false; }

private:
    Result m_result;
};

}  // namespace

Result LocalRunner::run(const Command& command) {
    require_program(command);
    Result result;
    auto deliver = [&](Stream stream, std::string_view data) {
        if (command.on_output) {
            command.on_output(stream, data);
        } else {
            (stream == Stream::out ? result.out : result.err).append(data);
        }
    };
    Child child(command, deliver, command.keep_stdin_open);
    if (child.spawn_failure()) {
        Result failure = *child.spawn_failure();
        deliver(Stream::err, failure.err);
        result.exit_code = failure.exit_code;
        return result;
    }
    asio::steady_timer deadline(child.io());
    bool timed_out = false;
    child.on_exit([&] { deadline.cancel(); });
    if (command.timeout) {
        deadline.expires_after(*command.timeout);
        deadline.async_wait([&](const boost::system::error_code& cancelled) {
            if (!cancelled) {
                timed_out = true;
                child.kill();
            }
        });
    }
    {
        SigpipeBlock guard;
        child.begin();
        child.io().run();
    }
    if (timed_out) {
        throw timeout_error(command);
    }
    decode_status(child.status(), result);
    return result;
}

std::unique_ptr<Process> LocalRunner::start(const Command& command) {
    require_program(command);
    auto state = std::make_shared<StartedState>();
    auto deliver = [state](Stream stream, std::string_view data) {
        std::lock_guard lock(state->mutex);
        (stream == Stream::out ? state->out : state->err).append(data);
        state->changed.notify_all();
    };
    auto child = std::make_shared<Child>(command, deliver, /*keep_stdin_open=*/true);
    if (child->spawn_failure()) {
        return std::make_unique<FailedProcess>(*child->spawn_failure());
    }
    child->on_written([state](size_t size) {
        std::lock_guard lock(state->mutex);
        state->unsent -= std::min(size, state->unsent);
        state->changed.notify_all();
    });
    child->begin();
    return std::make_unique<LocalProcess>(std::move(child), std::move(state), command);
}

Result LocalRunner::attach(const Command& command, const Attach& how) {
    require_program(command);
    boost::filesystem::path program = resolve_program(command.argv.front());
    if (program.empty()) {
        throw Error(ErrorKind::operation_failed, "\"" + command.argv.front() + "\": command not found");
    }
    std::vector<std::string> args(command.argv.begin() + 1, command.argv.end());
    auto setup = bp::extend::on_exec_setup = [](auto&) {
        prepare_exec();
        std::signal(SIGINT, SIG_DFL);
        std::signal(SIGQUIT, SIG_DFL);
    };
    struct sigaction ignore {};
    struct sigaction old_int {};
    struct sigaction old_quit {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    ::sigaction(SIGINT, &ignore, &old_int);
    ::sigaction(SIGQUIT, &ignore, &old_quit);
    std::error_code error;
    Result result;
    {
        bp::child child = how.stdin || how.tty ? bp::child(program, bp::args = args, setup, error)
                                               : bp::child(program, bp::args = args, bp::std_in < bp::null, setup, error);
        if (!error) {
            child.wait(error);
            decode_status(child.native_exit_code(), result);
        }
    }
    ::sigaction(SIGINT, &old_int, nullptr);
    ::sigaction(SIGQUIT, &old_quit, nullptr);
    if (error) {
        throw Error(ErrorKind::operation_failed,
                    "cannot run \"" + describe(command.argv) + "\": " + lowercase_first(error.message()));
    }
    return result;
}

}  // namespace calzion::exec
