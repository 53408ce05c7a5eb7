#include "ssh/channel_loop.hpp"

#include "ssh/connect.hpp"
#include "ssh/messages.hpp"

#include <libssh/callbacks.h>
#include <libssh/libssh.h>

#include <algorithm>
#include <atomic>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace calzion::ssh {

namespace {

std::atomic<long> g_channels_opened{0};

// While commands run, a connection silent this long gets a liveness probe; a
// probe unanswered this long means the peer is gone.
constexpr auto k_probe_after = std::chrono::seconds(15);
constexpr auto k_dead_after = std::chrono::seconds(20);
constexpr int k_poll_ms = 1000;
// sshd frees a closed session only after it has read further packets, so an open
// sent right after another channel's close can be refused for a moment (MaxSessions):
// retry a refused open with a growing delay, about 5 s in all.
constexpr int k_open_attempts = 30;
constexpr auto k_open_retry_step = std::chrono::milliseconds(10);
constexpr auto k_open_retry_max = std::chrono::milliseconds(250);
constexpr size_t k_write_chunk = 64 * 1024;
// OpenSSH keeps the channel of an abandoned (timed-out) command until the program
// ends, and it may never end. Count it against the slots only this long, so that
// hung programs cannot starve the runner; past it, sshd's own MaxSessions decides.
constexpr auto k_abandoned_slot_hold = std::chrono::seconds(10);

int drain_wake_fd(socket_t fd, int, void*) {
    eventfd_t ignored = 0;
    ::eventfd_read(fd, &ignored);
    return 0;
}

}  // namespace

long channels_opened() {
    return g_channels_opened.load();
}

enum class Phase { opening, requesting_pty, executing, running, closing };

// A channel as the I/O thread tracks it.
struct ChannelLoop::Live {
    std::shared_ptr<ChannelState> state;
    ssh_channel channel = nullptr;
    ssh_channel_callbacks_struct callbacks{};
    Clock::time_point* last_heard = nullptr;
    Phase phase = Phase::opening;
    int open_attempts = 0;
    ChannelLoop::Clock::time_point retry_at;
    std::string command_line;
    std::string input;
    size_t written = 0;
    size_t first_input = 0;  // bytes of `input` given to open(), not counted in state->unsent
    std::optional<Pty> pty;
    std::optional<Pty> resized;  // a size to send once the command runs
    bool keep_stdin_open = false;
    bool eof_wanted = false;
    bool eof_sent = false;
    bool counted = false;
    bool abandoned = false;
    ChannelLoop::Clock::time_point closed_at;  // when an abandoned channel was closed
    bool remote_closed = false;
    bool done = false;
};

namespace {

using Live = ChannelLoop::Live;

int on_data(ssh_session, ssh_channel, void* data, uint32_t size, int is_stderr, void* user) {
    auto& live = *static_cast<Live*>(user);
    *live.last_heard = ChannelLoop::Clock::now();
    ChannelState& state = *live.state;
    {
        std::lock_guard lock(state.mutex);
        if (!state.discard) {
            (is_stderr != 0 ? state.err : state.out).append(static_cast<const char*>(data), size);
        }
    }
    state.changed.notify_all();
    return static_cast<int>(size);
}

void on_exit_status(ssh_session, ssh_channel, int status, void* user) {
    ChannelState& state = *static_cast<Live*>(user)->state;
    std::lock_guard lock(state.mutex);
    state.exit_status = status;
}

void on_exit_signal(ssh_session, ssh_channel, const char* signal, int, const char*, const char*, void* user) {
    ChannelState& state = *static_cast<Live*>(user)->state;
    std::lock_guard lock(state.mutex);
    state.exit_signal = signal != nullptr && *signal != '\0' ? signal : "UNKNOWN";
}

void on_close(ssh_session, ssh_channel, void* user) {
    auto& live = *static_cast<Live*>(user);
    *live.last_heard = ChannelLoop::Clock::now();
    live.remote_closed = true;
}

// `size` more bytes of the input of `live` were sent or dropped: the first input
// first, then what write() added, which a streaming writer waits for.
void sent(Live& live, size_t size) {
    size_t first = std::min(size, live.first_input);
    live.first_input -= first;
    if (size == first) {
        return;
    }
    {
        std::lock_guard lock(live.state->mutex);
        live.state->unsent -= std::min(size - first, live.state->unsent);
    }
    live.state->changed.notify_all();
}

}  // namespace

ChannelLoop::ChannelLoop(Session session, Target target)
    : m_target(std::move(target)), m_session(std::move(session)), m_last_heard(Clock::now()) {
    m_wake_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    m_event = ssh_event_new();
    bool ready = m_wake_fd >= 0 && m_event != nullptr &&
                 ssh_event_add_session(m_event, m_session.get()) == SSH_OK &&
                 ssh_event_add_fd(m_event, m_wake_fd, POLLIN, drain_wake_fd, nullptr) == SSH_OK;
    if (!ready) {
        if (m_event != nullptr) {
            ssh_event_remove_session(m_event, m_session.get());
            ssh_event_free(m_event);
        }
        if (m_wake_fd >= 0) {
            ::close(m_wake_fd);
        }
        throw Error(ErrorKind::unreachable, "cannot watch the connection to " + m_target.describe());
    }
    m_thread = std::thread([this] { run(); });
}

ChannelLoop::~ChannelLoop() {
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    ::eventfd_write(m_wake_fd, 1);
    m_thread.join();
    ssh_event_remove_fd(m_event, m_wake_fd);
    ssh_event_remove_session(m_event, m_session.get());
    ssh_event_free(m_event);
    ::close(m_wake_fd);
}

std::shared_ptr<ChannelState> ChannelLoop::open(std::string command_line, std::string input, bool keep_stdin_open,
                                                bool counted, std::optional<Clock::time_point> deadline,
                                                std::optional<Pty> pty) {
    {
        std::lock_guard lock(m_mutex);
        if (m_failure) {
            throw *m_failure;
        }
    }
    if (counted) {
        if (!deadline) {
            m_slots.acquire();
        } else if (!m_slots.try_acquire_until(*deadline)) {
            return nullptr;
        }
    }
    auto state = std::make_shared<ChannelState>();
    {
        std::lock_guard lock(m_mutex);
        if (m_failure) {
            if (counted) {
                m_slots.release();
            }
            throw *m_failure;
        }
        m_requests.push_back({RequestKind::open, state, std::move(command_line), std::move(input), keep_stdin_open,
                              counted, std::move(pty)});
    }
    ::eventfd_write(m_wake_fd, 1);
    return state;
}

void ChannelLoop::write(const std::shared_ptr<ChannelState>& state, std::string data) {
    submit({RequestKind::write, state, {}, std::move(data), false, false, std::nullopt});
}

void ChannelLoop::resize(const std::shared_ptr<ChannelState>& state, int columns, int rows) {
    submit({RequestKind::resize, state, {}, {}, false, false, Pty{"", columns, rows}});
}

void ChannelLoop::close_stdin(const std::shared_ptr<ChannelState>& state) {
    submit({RequestKind::close_stdin, state, {}, {}, false, false, std::nullopt});
}

void ChannelLoop::abandon(const std::shared_ptr<ChannelState>& state) {
    {
        std::lock_guard lock(state->mutex);
        state->discard = true;
    }
    submit({RequestKind::abandon, state, {}, {}, false, false, std::nullopt});
}

void ChannelLoop::submit(Request request) {
    {
        std::lock_guard lock(m_mutex);
        m_requests.push_back(std::move(request));
    }
    ::eventfd_write(m_wake_fd, 1);
}

void ChannelLoop::run() {
    ssh_session session = m_session.get();
    while (take_requests()) {
        for (auto& live : m_live) {
            advance(*live);
        }
        reap();
        probe();
        bool lost = ssh_is_connected(session) == 0 || (ssh_get_status(session) & (SSH_CLOSED | SSH_CLOSED_ERROR)) != 0;
        if (lost && !m_failure) {
            std::string reason = lowercase_first(ssh_get_error(session));
            fail_all(Error(ErrorKind::unreachable, "connection to " + m_target.describe() + " lost: " +
                                                       (reason.empty() ? "the host closed it" : reason)));
        }
        if (m_failure) {
            break;
        }
        ssh_event_dopoll(m_event, poll_timeout());
    }
    if (!m_failure) {
        fail_all(Error(ErrorKind::unreachable, "connection to " + m_target.describe() + " closed"));
    }
    if (m_probe != nullptr) {
        ssh_channel_free(m_probe);
        m_probe = nullptr;
    }
}

bool ChannelLoop::take_requests() {
    std::vector<Request> requests;
    {
        std::lock_guard lock(m_mutex);
        if (m_stop) {
            return false;
        }
        requests.swap(m_requests);
    }
    for (Request& request : requests) {
        handle(request);
    }
    return true;
}

void ChannelLoop::handle(Request& request) {
    if (request.kind == RequestKind::open) {
        auto live = std::make_unique<Live>();
        live->state = request.state;
        live->last_heard = &m_last_heard;
        live->command_line = std::move(request.command_line);
        live->input = std::move(request.input);
        live->first_input = live->input.size();
        live->keep_stdin_open = request.keep_stdin_open;
        live->counted = request.counted;
        live->pty = std::move(request.pty);
        live->callbacks.userdata = live.get();
        live->callbacks.channel_data_function = on_data;
        live->callbacks.channel_exit_status_function = on_exit_status;
        live->callbacks.channel_exit_signal_function = on_exit_signal;
        live->callbacks.channel_close_function = on_close;
        ssh_callbacks_init(&live->callbacks);
        m_live.push_back(std::move(live));
        return;
    }
    auto found = std::find_if(m_live.begin(), m_live.end(),
                              [&](const auto& live) { return live->state == request.state; });
    if (found == m_live.end()) {
        return;
    }
    Live& live = **found;
    switch (request.kind) {
    case RequestKind::write:
        if (!live.eof_wanted) {
            live.input += request.input;
        } else {
            sent(live, request.input.size());
        }
        break;
    case RequestKind::resize:
        live.resized = request.pty;
        break;
    case RequestKind::close_stdin:
        live.eof_wanted = true;
        break;
    default:
        live.abandoned = true;
        break;
    }
}

// Open the channel of `live`; false while that is still under way (or failed).
bool ChannelLoop::open_channel(Live& live) {
    if (live.channel == nullptr) {
        if (live.abandoned) {
            finish(live, std::nullopt);
            return false;
        }
        if (Clock::now() < live.retry_at) {
            return false;
        }
        live.channel = ssh_channel_new(m_session.get());
        if (live.channel == nullptr || ssh_set_channel_callbacks(live.channel, &live.callbacks) != SSH_OK) {
            finish(live, Error(ErrorKind::operation_failed, "cannot open a channel to " + m_target.describe()));
            return false;
        }
    }
    int rc = ssh_channel_open_session(live.channel);
    if (rc == SSH_AGAIN) {
        return false;
    }
    if (rc != SSH_OK) {
        std::string reason = lowercase_first(ssh_get_error(m_session.get()));
        ssh_remove_channel_callbacks(live.channel, &live.callbacks);
        ssh_channel_free(live.channel);
        live.channel = nullptr;
        if (++live.open_attempts < k_open_attempts && !live.abandoned) {
            live.retry_at = Clock::now() + std::min(k_open_retry_step * live.open_attempts, k_open_retry_max);
        } else {
            finish(live, Error(ErrorKind::operation_failed,
                               "cannot open a channel to " + m_target.describe() + ": " + reason));
        }
        return false;
    }
    ++g_channels_opened;
    live.phase = live.pty ? Phase::requesting_pty : Phase::executing;
    return true;
}

// Move a channel on: open it, start the command, write its input. Every libssh
// call here is non-blocking; SSH_AGAIN means "call again after the next packet".
void ChannelLoop::advance(Live& live) {
    if (live.done) {
        return;
    }
    if (live.phase == Phase::opening && !open_channel(live)) {
        return;
    }
    if (live.abandoned && live.phase != Phase::closing) {
        // OpenSSH does not deliver signals for every user; closing the channel
        // at least closes the command's stdin and output.
        ssh_channel_request_send_signal(live.channel, "KILL");
        ssh_channel_close(live.channel);
        live.phase = Phase::closing;
        live.closed_at = Clock::now();
        return;
    }
    if (live.phase == Phase::requesting_pty) {
        int rc = ssh_channel_request_pty_size(live.channel, live.pty->term.c_str(), live.pty->columns, live.pty->rows);
        if (rc == SSH_AGAIN) {
            return;
        }
        if (rc != SSH_OK) {
            finish(live, Error(ErrorKind::operation_failed, "cannot allocate a terminal on " + m_target.describe() +
                                                                ": " + lowercase_first(ssh_get_error(m_session.get()))));
            return;
        }
        live.phase = Phase::executing;
    }
    if (live.phase == Phase::executing) {
        int rc = ssh_channel_request_exec(live.channel, live.command_line.c_str());
        if (rc == SSH_AGAIN) {
            return;
        }
        if (rc != SSH_OK) {
            finish(live, Error(ErrorKind::operation_failed, "cannot start a command on " + m_target.describe() +
                                                                ": " + lowercase_first(ssh_get_error(m_session.get()))));
            return;
        }
        live.phase = Phase::running;
    }
    if (live.phase == Phase::running) {
        if (live.resized) {
            ssh_channel_change_pty_size(live.channel, live.resized->columns, live.resized->rows);
            live.resized.reset();
        }
        write_input(live);
    }
}

// Write as much of the input as the peer's window takes, then send EOF unless
// stdin is to stay open. A command that exits without reading loses the rest.
void ChannelLoop::write_input(Live& live) {
    while (live.written < live.input.size()) {
        size_t size = std::min<size_t>(
            {live.input.size() - live.written, ssh_channel_window_size(live.channel), k_write_chunk});
        int rc = size == 0 ? 0 : ssh_channel_write(live.channel, live.input.data() + live.written, size);
        if (rc == SSH_ERROR) {
            sent(live, live.input.size() - live.written);
            live.written = live.input.size();
        } else if (rc == 0) {
            // Input keeps coming while a stream is written: drop what is sent.
            if (live.written >= k_write_chunk) {
                live.input.erase(0, live.written);
                live.written = 0;
            }
            return;
        } else {
            sent(live, static_cast<size_t>(rc));
            live.written += static_cast<size_t>(rc);
        }
    }
    if (!live.input.empty()) {
        std::string().swap(live.input);
        live.written = 0;
    }
    if (!live.eof_sent && (!live.keep_stdin_open || live.eof_wanted) && ssh_channel_is_open(live.channel) != 0) {
        ssh_channel_send_eof(live.channel);
        live.eof_sent = true;
    }
}

void ChannelLoop::reap() {
    auto now = Clock::now();
    for (auto& live : m_live) {
        if (live->counted && live->phase == Phase::closing && now - live->closed_at > k_abandoned_slot_hold) {
            live->counted = false;
            m_slots.release();
        }
        if (live->remote_closed && !live->done) {
            finish(*live, std::nullopt);
        }
    }
    std::erase_if(m_live, [](const auto& live) { return live->done; });
}

// Release the channel and tell its waiter that it is over.
void ChannelLoop::finish(Live& live, std::optional<Error> failure) {
    if (live.channel != nullptr) {
        ssh_remove_channel_callbacks(live.channel, &live.callbacks);
        ssh_channel_free(live.channel);
        live.channel = nullptr;
    }
    {
        std::lock_guard lock(live.state->mutex);
        live.state->closed = true;
        if (failure && !live.state->failure) {
            live.state->failure = std::move(failure);
        }
    }
    live.state->changed.notify_all();
    if (live.counted) {
        m_slots.release();
    }
    live.done = true;
}

// Ask the server for something it must answer (an auth-agent channel, which a
// server refuses at once) when commands are waiting and nothing was heard for
// a while: a peer that is gone never answers, even when TCP does not notice.
void ChannelLoop::probe() {
    auto now = Clock::now();
    if (m_probe == nullptr) {
        if (m_live.empty() || now - m_last_heard < k_probe_after) {
            return;
        }
        m_probe = ssh_channel_new(m_session.get());
        m_probe_sent = now;
        if (m_probe == nullptr) {
            return;
        }
    }
    if (ssh_channel_open_auth_agent(m_probe) == SSH_AGAIN) {
        if (now - m_probe_sent > k_dead_after) {
            fail_all(Error(ErrorKind::unreachable,
                           "connection to " + m_target.describe() + " lost: no answer for " +
                               std::to_string(std::chrono::duration_cast<std::chrono::seconds>(k_dead_after).count()) +
                               " s"));
        }
        return;
    }
    ssh_channel_free(m_probe);
    m_probe = nullptr;
    m_last_heard = now;
}

void ChannelLoop::fail_all(const Error& error) {
    std::vector<Request> pending;
    {
        std::lock_guard lock(m_mutex);
        m_failure = error;
        pending.swap(m_requests);
    }
    for (Request& request : pending) {
        if (request.kind != RequestKind::open) {
            continue;
        }
        Live orphan;
        orphan.state = request.state;
        orphan.counted = request.counted;
        finish(orphan, error);
    }
    for (auto& live : m_live) {
        if (!live->done) {
            finish(*live, error);
        }
    }
    m_live.clear();
}

// Wait for the socket at most until the next request or retry is due.
int ChannelLoop::poll_timeout() {
    {
        std::lock_guard lock(m_mutex);
        if (!m_requests.empty() || m_stop) {
            return 0;
        }
    }
    auto now = Clock::now();
    auto wait = std::chrono::milliseconds(k_poll_ms);
    for (const auto& live : m_live) {
        if (live->phase == Phase::opening && live->channel == nullptr && !live->done) {
            auto until = std::chrono::ceil<std::chrono::milliseconds>(live->retry_at - now);
            wait = std::clamp(until, std::chrono::milliseconds(0), wait);
        }
    }
    return static_cast<int>(wait.count());
}

}  // namespace calzion::ssh
