#pragma once

#include <functional>
#include <optional>
#include <string>
#include <thread>

#include <termios.h>

namespace calzion::exec {

// The size of a terminal, in characters.
struct WindowSize {
    int columns = 80;
    int rows = 24;
};

// The size of the terminal on `fd`; nullopt when `fd` is not a terminal.
std::optional<WindowSize> window_size(int fd);

// Puts the terminal on stdin into raw mode while it lives, as `ssh -t` does:
// keys (Ctrl-C included) go to the remote program as bytes, nothing is echoed
// or edited locally. Restores the saved mode on destruction. Does nothing when
// stdin is not a terminal.
class RawMode {
public:
    RawMode();
    ~RawMode();
    RawMode(const RawMode&) = delete;
    RawMode& operator=(const RawMode&) = delete;

private:
    bool m_active = false;
    termios m_saved{};
};

// Where InputPump delivers what happens to calzion's stdin and terminal.
struct InputSink {
    std::function<void(std::string)> write;      // bytes read from stdin
    std::function<void()> end;                   // stdin reached its end
    std::function<void(WindowSize)> resize;      // the terminal changed size
};

// Copies calzion's stdin to `sink` from a thread of its own, until its end or
// until the pump is destroyed; with `watch_size`, also reports SIGWINCH. Only
// one pump may live at a time.
class InputPump {
public:
    InputPump(InputSink sink, bool forward_stdin, bool watch_size);
    ~InputPump();  // stops the thread and joins it
    InputPump(const InputPump&) = delete;
    InputPump& operator=(const InputPump&) = delete;

private:
    void run(bool forward_stdin, bool watch_size);

    InputSink m_sink;
    int m_stop_fd = -1;
    std::thread m_thread;
};

// Write all of `data` to `fd`, retrying short writes; false when the fd is gone.
bool write_fully(int fd, std::string_view data);

}  // namespace calzion::exec
