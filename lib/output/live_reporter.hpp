#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <iosfwd>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "events/reporter.hpp"

namespace calzion::output {

using events::Event;
using events::event_line;
using events::Reporter;

// The size of the terminal; 0 means unknown, and then lines are not cut.
struct ScreenSize {
    int columns = 0;
    int lines = 0;
};

struct LiveOptions {
    using Clock = std::function<std::chrono::steady_clock::time_point()>;
    bool color = false;    // green check, red cross
    bool unicode = true;   // braille spinner, ✓ and ✗; else | / - \, + and x
    bool ticker = true;    // redraw about 8 times a second from a thread of its own
    std::vector<std::string> hosts;  // the order of the hosts' rows; others follow as they appear
    Clock now = std::chrono::steady_clock::now;
    std::function<ScreenSize()> screen_size;  // asked at every redraw; empty: unknown
};

// A live progress display for a terminal. It keeps one row per host and service
// (and one per host for events without a service) and redraws that block in
// place with ANSI cursor movement: a spinner and the seconds since the row's
// step began while a step runs, a check once done, a cross when failed, and the
// latest text. Notes are printed for good above the block. Rows are grouped by
// host (in the order of LiveOptions::hosts, then as they appear), and a host's
// rows are in the order they first appeared. A block taller than the screen gives
// its oldest finished rows up to the lines above it. Thread-safe.
class LiveReporter : public Reporter {
public:
    LiveReporter(std::ostream& out, LiveOptions options);
    ~LiveReporter() override;  // finish()

    void event(const Event& event) override;
    // Stop the ticker and draw the final frame: every row stays on screen, a
    // step still running shows "-" and its time. Idempotent.
    void finish() override;
    // Redraw now; the ticker calls this.
    void tick();

private:
    struct Row {
        std::string host;
        std::string service;
        Event::Kind kind = Event::Kind::step;
        std::string text;
        std::chrono::steady_clock::time_point since;  // when the current step began
    };

    Row& row_for(const Event& event);
    size_t rank_of(const std::string& host);
    void retire_rows_that_do_not_fit(int lines);
    size_t label_width() const;
    std::string render_row(const Row& row, size_t label_width, int columns) const;
    std::string symbol_of(const Row& row) const;
    void draw();  // with m_mutex held
    void run_ticker();

    std::ostream& m_out;
    LiveOptions m_options;
    std::chrono::steady_clock::time_point m_start;
    std::vector<Row> m_rows;
    std::vector<std::string> m_hosts;  // in the order their rows are shown
    std::vector<std::string> m_above;  // lines to print above the block at the next draw
    int m_drawn = 0;                   // lines of the block on screen
    bool m_finished = false;
    bool m_stopping = false;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::thread m_ticker;
};

}  // namespace calzion::output
