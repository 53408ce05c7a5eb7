#include "exec/local_terminal.hpp"

#include <array>
#include <cerrno>
#include <fcntl.h>
#include <csignal>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "util/error.hpp"

namespace calzion::exec {

namespace {

// SIGWINCH arrives on this pipe, written by the signal handler.
int g_winch_pipe[2] = {-1, -1};

extern "C" void note_window_change(int) {
    int saved = errno;
    char byte = 1;
    [[maybe_unused]] ssize_t ignored = ::write(g_winch_pipe[1], &byte, 1);
    errno = saved;
}

void drain(int fd) {
    std::array<char, 64> buffer{};
    while (::read(fd, buffer.data(), buffer.size()) > 0) {
    }
}

}  // namespace

std::optional<WindowSize> window_size(int fd) {
    winsize size{};
    if (::isatty(fd) != 1 || ::ioctl(fd, TIOCGWINSZ, &size) != 0) {
        return std::nullopt;
    }
    WindowSize result;
    if (size.ws_col > 0 && size.ws_row > 0) {
        result.columns = size.ws_col;
        result.rows = size.ws_row;
    }
    return result;
}

RawMode::RawMode() {
    if (::isatty(STDIN_FILENO) != 1 || ::tcgetattr(STDIN_FILENO, &m_saved) != 0) {
        return;
    }
    termios raw = m_saved;
    ::cfmakeraw(&raw);
    m_active = ::tcsetattr(STDIN_FILENO, TCSADRAIN, &raw) == 0;
}

RawMode::~RawMode() {
    if (m_active) {
        ::tcsetattr(STDIN_FILENO, TCSADRAIN, &m_saved);
    }
}

InputPump::InputPump(InputSink sink, bool forward_stdin, bool watch_size) : m_sink(std::move(sink)) {
    m_stop_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (m_stop_fd < 0) {
        throw Error(ErrorKind::operation_failed, "cannot watch the terminal");
    }
    if (watch_size && g_winch_pipe[0] < 0 && ::pipe2(g_winch_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
        watch_size = false;
    }
    if (watch_size) {
        struct sigaction action {};
        action.sa_handler = note_window_change;
        action.sa_flags = SA_RESTART;
        sigemptyset(&action.sa_mask);
        ::sigaction(SIGWINCH, &action, nullptr);
    }
    m_thread = std::thread([this, forward_stdin, watch_size] { run(forward_stdin, watch_size); });
}

InputPump::~InputPump() {
    ::eventfd_write(m_stop_fd, 1);
    m_thread.join();
    ::signal(SIGWINCH, SIG_DFL);
    ::close(m_stop_fd);
}

void InputPump::run(bool forward_stdin, bool watch_size) {
    std::array<pollfd, 3> fds{};
    fds[0] = {m_stop_fd, POLLIN, 0};
    fds[1] = {forward_stdin ? STDIN_FILENO : -1, POLLIN, 0};
    fds[2] = {watch_size ? g_winch_pipe[0] : -1, POLLIN, 0};
    std::array<char, 16 * 1024> buffer{};
    for (;;) {
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            return;
        }
        if (fds[0].revents != 0) {
            return;
        }
        if (fds[2].revents != 0) {
            drain(g_winch_pipe[0]);
            if (auto size = window_size(STDIN_FILENO)) {
                m_sink.resize(*size);
            }
        }
        if (fds[1].revents != 0) {
            ssize_t size = ::read(STDIN_FILENO, buffer.data(), buffer.size());
            if (size < 0 && (errno == EINTR || errno == EAGAIN)) {
                continue;
            }
            if (size <= 0) {
                m_sink.end();
                fds[1].fd = -1;
                continue;
            }
            m_sink.write(std::string(buffer.data(), static_cast<size_t>(size)));
        }
    }
}

bool write_fully(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t size = ::write(fd, data.data(), data.size());
        if (size < 0) {
            if (errno == EINTR) {
                continue;
            }
            return false;
        }
        data.remove_prefix(static_cast<size_t>(size));
    }
    return true;
}

}  // namespace calzion::exec
