#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "events/reporter.hpp"

namespace calzion::test {

// Keeps every event as its plain line ("host1 web: ready"), in order.
class RecordingReporter final : public events::Reporter {
public:
    void event(const events::Event& event) override {
        std::lock_guard lock(m_mutex);
        lines.push_back(events::event_line(event));
    }
    std::vector<std::string> lines;

private:
    std::mutex m_mutex;
};

}  // namespace calzion::test
