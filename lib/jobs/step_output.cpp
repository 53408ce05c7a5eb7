#include "jobs/step_output.hpp"

#include <sstream>
#include <utility>
#include <vector>

namespace calzion::jobs {

namespace {

std::string trimmed(std::string_view line) {
    size_t end = line.find_last_not_of(" \t\r\n");
    return end == std::string_view::npos ? std::string() : std::string(line.substr(0, end + 1));
}

std::optional<StepEnd> parse_marker(const std::string& marker) {
    std::istringstream words(marker.substr(k_step_marker.size()));
    std::string started, code, canceled, extra;
    if (!(words >> started >> code >> canceled) || (words >> extra) || (started != "yes" && started != "no") ||
        (canceled != "yes" && canceled != "no")) {
        return std::nullopt;
    }
    StepEnd end;
    end.started = started == "yes";
    end.canceled = canceled == "yes";
    if (code != "-") {
        if (code.empty() || code.size() > 9 || code.find_first_not_of("0123456789") != std::string::npos) {
            return std::nullopt;
        }
        end.exit_code = std::stoi(code);
    }
    return end;
}

}  // namespace

void StepOutput::take(std::string_view line, std::string& out) {
    // Only the last line is the script's marker: a marker-like line followed by
    // more output was the step's own.
    if (m_marker) {
        out += *m_marker + "\n";
        m_last_line = *std::exchange(m_marker, std::nullopt);
    }
    if (line.substr(0, k_step_marker.size()) == k_step_marker) {
        m_marker = trimmed(line);
        return;
    }
    out += line;
    if (std::string text = trimmed(line); !text.empty()) {
        m_last_line = std::move(text);
    }
}

void StepOutput::add(std::string_view data) {
    m_pending.append(data);
    std::string out;
    size_t start = 0;
    for (size_t newline = m_pending.find('\n'); newline != std::string::npos;
         newline = m_pending.find('\n', start)) {
        take(std::string_view(m_pending).substr(start, newline + 1 - start), out);
        start = newline + 1;
    }
    m_pending.erase(0, start);
    if (!out.empty() && m_sink) {
        m_sink(out);
    }
}

void StepOutput::finish() {
    std::string out;
    if (!m_pending.empty()) {
        take(m_pending, out);
        m_pending.clear();
    }
    if (!out.empty() && m_sink) {
        m_sink(out);
    }
}

StepEnd StepOutput::end(const exec::Result& result) const {
    std::optional<StepEnd> end = m_marker ? parse_marker(*m_marker) : std::nullopt;
    std::string why = m_last_line.empty() ? std::string() : ": " + m_last_line;
    if (!end) {
        StepEnd failed;
        failed.message = "the step could not be prepared" +
                         (why.empty() ? " (its script ended with exit status " + std::to_string(result.exit_code) +
                                            (result.signal.empty() ? "" : ", signal " + result.signal) + ")"
                                      : why);
        return *(end = failed);
    }
    if (!end->started && !end->canceled) {
        end->message = "the container could not be created" + why;
    } else if (end->started && !end->exit_code && !end->canceled) {
        end->message = "its exit status could not be read";
    }
    return *end;
}

}  // namespace calzion::jobs
