#pragma once

#include <string>
#include <vector>

namespace calzion::docker {

// argv that waits on the host until a container is ready: healthy when it has a
// health check, otherwise running without restarting for `stable_seconds`. It has
// failed once unhealthy, exited, dead or restarting (its process exited under a
// restart policy: a crash loop). Gives up after `timeout_seconds`. Prints one
// line "ready|failed|timeout STATUS HEALTH"
// and, unless ready, the container's last `log_lines` log lines. Exit 0 when ready.
std::vector<std::string> wait_ready_argv(const std::string& container, int timeout_seconds, int stable_seconds,
                                         int log_lines = 20);

// How a wait ended.
struct WaitOutcome {
    bool ready = false;
    std::string verdict;  // ready, failed, timeout
    std::string status;   // docker's State.Status at the end
    std::string health;
    std::string logs;     // last log lines when not ready
};

// `why` a container is not ready, followed by its last log lines, or by the
// fact that it printed none.
std::string not_ready_text(const std::string& why, const WaitOutcome& outcome);

// Read what wait_ready_argv printed.
WaitOutcome parse_wait(const std::string& output);

}  // namespace calzion::docker
