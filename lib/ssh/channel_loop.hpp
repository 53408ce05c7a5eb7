#pragma once

#include "ssh/session.hpp"
#include "ssh/target.hpp"
#include "util/error.hpp"

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <optional>
#include <semaphore>
#include <string>
#include <thread>
#include <vector>

struct ssh_event_struct;
struct ssh_channel_struct;

namespace calzion::ssh {

// A terminal to allocate on the host for a command, as `ssh -t` does.
struct Pty {
    std::string term = "xterm";
    int columns = 80;
    int rows = 24;
};

// One remote command as the thread that waits for it sees it. The I/O thread
// fills it in under `mutex` and signals `changed`.
struct ChannelState {
    std::mutex mutex;
    std::condition_variable changed;
    std::string out;  // received and not yet taken
    std::string err;
    bool closed = false;  // no more output will come; the exit is known (or `failure`)
    int exit_status = -1;
    std::string exit_signal;       // e.g. "KILL"; empty if the command exited
    std::optional<Error> failure;  // the channel or the connection failed
    bool discard = false;          // nobody reads any more: drop output
    // Bytes handed to ChannelLoop::write and not yet sent (or dropped): a
    // streaming writer waits on `changed` while this is high.
    size_t unsent = 0;
};

// Drives every channel of one SSH session from a single I/O thread: libssh
// sessions are not thread-safe, so only that thread touches the session after
// construction. Other threads hand it requests and wait on ChannelStates, so a
// long command never holds up another. A connection that fails, or that stops
// answering the liveness probe while commands are running, fails every channel
// with Error(unreachable, "connection to ... lost ...").
class ChannelLoop {
public:
    using Clock = std::chrono::steady_clock;
    static constexpr int k_max_commands = 8;  // sshd allows 10 sessions; keep room

    // Take over an authenticated session and start the I/O thread.
    ChannelLoop(Session session, Target target);
    // Close every channel, disconnect and join the I/O thread.
    ~ChannelLoop();
    ChannelLoop(const ChannelLoop&) = delete;
    ChannelLoop& operator=(const ChannelLoop&) = delete;

    // Start `command_line` on a new channel with `input` on its stdin, which is
    // closed after the input unless `keep_stdin_open`. A `counted` command first
    // waits for one of k_max_commands slots, until `deadline`: nullptr when it
    // passes. With `pty`, the command runs on a terminal allocated on the host.
    // Throws the connection's Error once it is lost.
    std::shared_ptr<ChannelState> open(std::string command_line, std::string input, bool keep_stdin_open,
                                       bool counted, std::optional<Clock::time_point> deadline,
                                       std::optional<Pty> pty = std::nullopt);
    // Add `data` to what is written to the command's stdin (kept open). The
    // caller has added its size to state->unsent, which goes down as it is sent.
    void write(const std::shared_ptr<ChannelState>& state, std::string data);
    // Tell the command's terminal its new size.
    void resize(const std::shared_ptr<ChannelState>& state, int columns, int rows);
    // Close the command's stdin once its input is written.
    void close_stdin(const std::shared_ptr<ChannelState>& state);
    // Give up on the command: drop its output and close its channel.
    void abandon(const std::shared_ptr<ChannelState>& state);

    const Target& target() const { return m_target; }

    struct Live;

private:
    enum class RequestKind { open, write, resize, close_stdin, abandon };
    struct Request {
        RequestKind kind;
        std::shared_ptr<ChannelState> state;
        std::string command_line;
        std::string input;  // open: the first input; write: more of it
        bool keep_stdin_open = false;
        bool counted = false;
        std::optional<Pty> pty;  // open: the terminal; resize: its new size
    };

    void submit(Request request);
    void run();
    bool take_requests();
    void handle(Request& request);
    void advance(Live& live);
    bool open_channel(Live& live);
    void write_input(Live& live);
    void reap();
    void finish(Live& live, std::optional<Error> failure);
    void probe();
    void fail_all(const Error& error);
    int poll_timeout();

    Target m_target;
    Session m_session;
    ssh_event_struct* m_event = nullptr;
    int m_wake_fd = -1;
    std::counting_semaphore<k_max_commands> m_slots{k_max_commands};

    std::mutex m_mutex;  // guards the members up to m_thread
    std::vector<Request> m_requests;
    bool m_stop = false;
    std::optional<Error> m_failure;  // set once the connection is lost
    std::thread m_thread;

    // I/O thread only.
    std::vector<std::unique_ptr<Live>> m_live;
    ssh_channel_struct* m_probe = nullptr;
    Clock::time_point m_probe_sent;
    Clock::time_point m_last_heard;
};

}  // namespace calzion::ssh
