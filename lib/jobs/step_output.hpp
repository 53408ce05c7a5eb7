#pragma once

// The output of the host script that runs a step, as run_step reads it.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "exec/runner.hpp"
#include "jobs/step.hpp"

namespace calzion::jobs {

// The marker the script ends with when it got as far as asking for a
// container: "@@calzion step <started yes|no> <exit code|-> <canceled yes|no>".
inline constexpr std::string_view k_step_marker = "@@calzion step ";

// Passes a step's output on in whole lines as it arrives, holding back the
// marker line, and says how the step ended.
class StepOutput {
public:
    explicit StepOutput(std::function<void(std::string_view)> sink) : m_sink(std::move(sink)) {}

    // Take a chunk of output; pass on every line it completes.
    void add(std::string_view data);
    // Pass on a last line that did not end with a newline.
    void finish();
    // How the step ended, from the marker, or, without one, from the script's
    // last line and `result` (the step could not be prepared).
    StepEnd end(const exec::Result& result) const;

private:
    // Hand `line` (with its newline, if any) over, or keep it as the marker.
    void take(std::string_view line, std::string& out);

    std::function<void(std::string_view)> m_sink;
    std::string m_pending;              // the start of a line not yet complete
    std::optional<std::string> m_marker;
    std::string m_last_line;            // the last non-empty line passed on
};

}  // namespace calzion::jobs
