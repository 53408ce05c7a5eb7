#pragma once

#include <iosfwd>
#include <mutex>
#include <string>

namespace calzion::events {

// Something that happened on a host, for the user to see.
struct Event {
    enum class Kind { step, done, failed, note };
    Kind kind = Kind::step;
    std::string host;
    std::string service;  // empty for host-wide events
    std::string text;     // "replace (env, image)", "ready", "docker run failed: ..."
};

// The event as one plain line, without the newline: "host1 web: ready".
std::string event_line(const Event& event);

// Where progress goes. Safe to call from several threads.
class Reporter {
public:
    virtual ~Reporter() = default;
    virtual void event(const Event& event) = 0;
    // Leave the final state on screen. Call it once the work is done and before
    // the command prints its result or error; events after it are still shown.
    virtual void finish() {}
};

// Drops every event: a dry run reports its commands, not what they would do.
class SilentReporter : public Reporter {
public:
    void event(const Event&) override {}
};

// One plain line per event, for logs and cron: "host1 web: ready".
class LineReporter : public Reporter {
public:
    LineReporter(std::ostream& out, bool quiet) : m_out(out), m_quiet(quiet) {}
    void event(const Event& event) override;

private:
    std::ostream& m_out;
    bool m_quiet;
    std::mutex m_mutex;
};

}  // namespace calzion::events
