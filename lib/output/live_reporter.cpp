#include "output/live_reporter.hpp"

#include <algorithm>
#include <iterator>
#include <ostream>

#include "output/ansi.hpp"

namespace calzion::output {

namespace {

using namespace std::chrono_literals;

constexpr auto k_frame = 125ms;
constexpr const char* k_unicode_spinner[] = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};
constexpr const char* k_ascii_spinner[] = {"|", "/", "-", "\\"};

// A row is one line on screen: keep the first line of the text, without
// control characters, or the block would no longer be where it was drawn.
std::string one_row_line(const std::string& text) {
    std::string line = text.substr(0, text.find('\n'));
    for (char& c : line) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
            c = ' ';
        }
    }
    return line;
}

// Columns on screen, counting each UTF-8 sequence as one.
size_t columns_of(const std::string& text) {
    return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

// The first `columns` columns of `text`, never splitting a UTF-8 sequence.
std::string cut_to(const std::string& text, size_t columns) {
    size_t seen = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 && seen++ == columns) {
            return text.substr(0, i);
        }
    }
    return text;
}

std::string label_of(const std::string& host, const std::string& service) {
    return service.empty() ? host : host + " " + service;
}

bool finished(Event::Kind kind) {
    return kind == Event::Kind::done || kind == Event::Kind::failed;
}

}  // namespace

LiveReporter::LiveReporter(std::ostream& out, LiveOptions options)
    : m_out(out), m_options(std::move(options)), m_start(m_options.now()), m_hosts(m_options.hosts) {
    if (m_options.ticker) {
        m_ticker = std::thread([this] { run_ticker(); });
    }
}

LiveReporter::~LiveReporter() {
    finish();
}

void LiveReporter::event(const Event& event) {
    std::lock_guard<std::mutex> guard(m_mutex);
    if (m_finished) {
        m_out << event_line(event) << "\n" << std::flush;
        return;
    }
    if (event.kind == Event::Kind::note) {
        m_above.push_back(event_line(event));
    } else {
        Row& row = row_for(event);
        if (event.kind == Event::Kind::step && row.kind != Event::Kind::step) {
            row.since = m_options.now();
        }
        row.kind = event.kind;
        row.text = one_row_line(event.text);
    }
    draw();
}

void LiveReporter::finish() {
    {
        std::lock_guard<std::mutex> guard(m_mutex);
        m_stopping = true;
    }
    m_wake.notify_all();
    if (m_ticker.joinable()) {
        m_ticker.join();
    }
    std::lock_guard<std::mutex> guard(m_mutex);
    if (m_finished) {
        return;
    }
    m_finished = true;
    if (!m_rows.empty() || !m_above.empty()) {
        draw();
    }
    // What is on screen now stays: nothing redraws it any more.
    m_drawn = 0;
}

void LiveReporter::tick() {
    std::lock_guard<std::mutex> guard(m_mutex);
    if (!m_finished) {
        draw();
    }
}

void LiveReporter::run_ticker() {
    std::unique_lock<std::mutex> lock(m_mutex);
    while (!m_wake.wait_for(lock, k_frame, [this] { return m_stopping; })) {
        bool running = std::any_of(m_rows.begin(), m_rows.end(), [](const Row& row) { return !finished(row.kind); });
        if (running) {
            draw();
        }
    }
}

// A new row goes after the last row of its host, before the rows of the hosts
// shown after it.
LiveReporter::Row& LiveReporter::row_for(const Event& event) {
    auto same = [&](const Row& row) { return row.host == event.host && row.service == event.service; };
    if (auto found = std::find_if(m_rows.begin(), m_rows.end(), same); found != m_rows.end()) {
        return *found;
    }
    size_t rank = rank_of(event.host);
    auto at = std::find_if(m_rows.begin(), m_rows.end(), [&](const Row& row) { return rank_of(row.host) > rank; });
    Row row{event.host, event.service, event.kind, "", m_options.now()};
    return *m_rows.insert(at, row);
}

size_t LiveReporter::rank_of(const std::string& host) {
    auto found = std::find(m_hosts.begin(), m_hosts.end(), host);
    if (found == m_hosts.end()) {
        m_hosts.push_back(host);
        return m_hosts.size() - 1;
    }
    return static_cast<size_t>(found - m_hosts.begin());
}

// Cursor movement cannot reach above the top of the screen: a block taller than
// the screen prints its oldest finished rows for good above it.
void LiveReporter::retire_rows_that_do_not_fit(int lines) {
    if (lines <= 0) {
        return;
    }
    size_t room = static_cast<size_t>(std::max(lines - 1, 1));
    size_t width = label_width();
    for (auto it = m_rows.begin(); it != m_rows.end() && m_rows.size() > room;) {
        if (finished(it->kind)) {
            m_above.push_back(render_row(*it, width, 0));
            it = m_rows.erase(it);
        } else {
            ++it;
        }
    }
}

size_t LiveReporter::label_width() const {
    size_t width = 0;
    for (const auto& row : m_rows) {
        width = std::max(width, columns_of(label_of(row.host, row.service)));
    }
    return width;
}

std::string LiveReporter::symbol_of(const Row& row) const {
    bool color = m_options.color;
    switch (row.kind) {
    case Event::Kind::done: return paint(m_options.unicode ? "✓" : "+", Color::green, color);
    case Event::Kind::failed: return paint(m_options.unicode ? "✗" : "x", Color::red, color);
    case Event::Kind::step:
    case Event::Kind::note: break;
    }
    if (m_finished) {
        return "-";
    }
    auto frame = static_cast<size_t>((m_options.now() - m_start) / k_frame);
    return m_options.unicode ? k_unicode_spinner[frame % std::size(k_unicode_spinner)]
                             : k_ascii_spinner[frame % std::size(k_ascii_spinner)];
}

// "⠹ host1 web  replace: image changed (3s)", cut to the screen's width.
std::string LiveReporter::render_row(const Row& row, size_t label_width, int columns) const {
    std::string label = label_of(row.host, row.service);
    label += std::string(label_width - std::min(label_width, columns_of(label)), ' ');
    std::string suffix;
    if (!finished(row.kind)) {
        auto seconds = std::chrono::duration_cast<std::chrono::seconds>(m_options.now() - row.since).count();
        suffix = " (" + std::to_string(seconds) + "s)";
    }
    std::string body = label + "  " + row.text;
    // Leave the last column free: a line that fills it wraps on some terminals.
    if (columns > 0) {
        size_t room = static_cast<size_t>(columns) - 1;
        std::string more = m_options.unicode ? "…" : "...";
        size_t fixed = 2 + columns_of(suffix);
        if (fixed + columns_of(body) > room) {
            size_t keep = room > fixed + columns_of(more) ? room - fixed - columns_of(more) : 0;
            body = cut_to(body, keep) + more;
        }
    }
    if (row.kind == Event::Kind::failed) {
        body = paint(body, Color::red, m_options.color);
    }
    return symbol_of(row) + " " + body + suffix;
}

void LiveReporter::draw() {
    ScreenSize size = m_options.screen_size ? m_options.screen_size() : ScreenSize{};
    if (!m_finished) {
        retire_rows_that_do_not_fit(size.lines);
    }
    std::string frame = cursor_up(m_drawn);
    for (const auto& line : m_above) {
        frame += k_clear_line + line + "\n";
    }
    m_above.clear();
    size_t width = label_width();
    // Rows still running that do not fit: show what fits and count the rest.
    size_t shown = m_rows.size();
    if (!m_finished && size.lines > 1 && m_rows.size() > static_cast<size_t>(size.lines - 1)) {
        shown = static_cast<size_t>(std::max(size.lines - 2, 0));
    }
    for (size_t i = 0; i < shown; ++i) {
        frame += k_clear_line + render_row(m_rows[i], width, size.columns) + "\n";
    }
    m_drawn = static_cast<int>(shown);
    if (shown < m_rows.size()) {
        frame += std::string(k_clear_line) + "  and " + std::to_string(m_rows.size() - shown) + " more\n";
        ++m_drawn;
    }
    frame += k_clear_below;
    m_out << frame << std::flush;
}

}  // namespace calzion::output
