#include "events/reporter.hpp"

#include <ostream>

namespace calzion::events {

std::string event_line(const Event& event) {
    std::string line = event.host;
    if (!event.service.empty()) {
        line += (line.empty() ? "" : " ") + event.service;
    }
    return line + (line.empty() ? "" : ": ") + event.text;
}

void LineReporter::event(const Event& event) {
    if (m_quiet && event.kind != Event::Kind::failed) {
        return;
    }
    std::string line = event_line(event) + "\n";
    std::lock_guard<std::mutex> guard(m_mutex);
    m_out << line << std::flush;
}

}  // namespace calzion::events
