#include "docker/wait.hpp"

#include <sstream>

namespace calzion::docker {

namespace {

// Polls twice a second; one docker call per poll. "restarting" counts as failed:
// the new container's process has already exited and its restart policy would
// only repeat that (a crash loop) until the timeout.
constexpr const char* k_wait = R"sh(
c=$1; timeout=$2; stable=$3; lines=$4
start=$(date +%s); since=""; restarts=""
while :; do
  s=$(docker container inspect --format '{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}} {{.RestartCount}}' "$c" 2>/dev/null) || { echo "failed missing none"; exit 1; }
  set -- $s
  status=$1; health=$2; count=$3
  now=$(date +%s)
  verdict=""
  case "$status/$health" in
    running/healthy) verdict=ready ;;
    */unhealthy|exited/*|dead/*|restarting/*) verdict=failed ;;
    running/none)
      if [ "$count" != "$restarts" ]; then since=$now; restarts=$count; fi
      if [ $((now - since)) -ge "$stable" ]; then verdict=ready; fi ;;
  esac
  if [ -z "$verdict" ] && [ $((now - start)) -ge "$timeout" ]; then verdict=timeout; fi
  if [ -n "$verdict" ]; then
    echo "$verdict $status $health"
    [ "$verdict" = ready ] && exit 0
    docker logs --tail "$lines" "$c" 2>&1
    exit 1
  fi
  sleep 0.5 2>/dev/null || sleep 1
done
)sh";

}  // namespace

std::vector<std::string> wait_ready_argv(const std::string& container, int timeout_seconds, int stable_seconds,
                                         int log_lines) {
    return {"sh",
            "-c",
            k_wait,
            "calzion",
            container,
            std::to_string(timeout_seconds),
            std::to_string(stable_seconds),
            std::to_string(log_lines)};
}

WaitOutcome parse_wait(const std::string& output) {
    WaitOutcome outcome;
    std::istringstream stream(output);
    std::string first;
    std::getline(stream, first);
    std::istringstream words(first);
    words >> outcome.verdict >> outcome.status >> outcome.health;
    outcome.ready = outcome.verdict == "ready";
    std::string line;
    while (std::getline(stream, line)) {
        outcome.logs += line + "\n";
    }
    return outcome;
}

std::string not_ready_text(const std::string& why, const WaitOutcome& outcome) {
    if (outcome.logs.find_first_not_of(" \t\r\n") == std::string::npos) {
        return why + "; it printed no log lines";
    }
    return why + "; its last log lines:\n" + outcome.logs;
}

}  // namespace calzion::docker
