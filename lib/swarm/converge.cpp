#include "swarm/converge.hpp"

#include <sstream>

#include "state/sections.hpp"
#include "swarm/spec.hpp"
#include "swarm/versions.hpp"
#include "util/shell.hpp"
#include "util/strings.hpp"

namespace calzion::swarm {

namespace {

// The service: "UPDATE_STATE WANTED FORCE_UPDATE TASK_LABEL"; a task:
// "ID DESIRED STATE FORCE_UPDATE t=TASK_LABEL ERROR".
constexpr const char* k_formats = R"sh(
service_format='{{if .UpdateStatus}}{{.UpdateStatus.State}}{{else}}none{{end}} {{if .Spec.Mode.Replicated}}{{.Spec.Mode.Replicated.Replicas}}{{else}}0{{end}} {{.Spec.TaskTemplate.ForceUpdate}} {{with .Spec.TaskTemplate.ContainerSpec}}{{index .Labels "io.calzion.task"}}{{end}}'
task_format='{{.ID}} {{.DesiredState}} {{.Status.State}} {{.Spec.ForceUpdate}} t={{with .Spec.ContainerSpec}}{{index .Labels "io.calzion.task"}}{{end}} {{.Status.Err}}'
)sh";

// count_tasks sets running (tasks of the current spec running), should (tasks
// that should run), alive (tasks running, wanted or not), failed (the newest
// failed task that was not there before the change) and stuck (a task that
// should run, pending with an error: stuck_err).
constexpr const char* k_count = R"sh(
count_tasks() {
  running=0; should=0; alive=0; failed=""; stuck=""; stuck_err=""
  t=$(docker service ps -q --no-trunc "$svc" 2>/dev/null)
  [ -n "$t" ] || return 0
  info=$(docker inspect --type task --format "$task_format" $t 2>/dev/null)
  while read -r id ds st fu tl err; do
    [ -n "$id" ] || continue
    if [ "$st" = running ]; then alive=$((alive + 1)); fi
    if [ "$ds" = running ]; then
      should=$((should + 1))
      if [ "$st" = running ] && [ "$fu" = "$force" ] && [ "$tl" = "t=$label" ]; then running=$((running + 1)); fi
      if [ "$st" = pending ] && [ -n "$err" ]; then stuck=$id; stuck_err=$err; fi
    fi
    case "$st" in failed|rejected) case "$before" in *" $id "*) ;; *) [ -n "$failed" ] || failed=$id ;; esac ;; esac
  done <<EOF
$info
EOF
}
)sh";

// judge sets verdict from the counts and the update state, or asks Swarm to
// roll back an update that is stuck or out of time (once). A rollback gets a
// deadline of its own; it has settled once its tasks run too (Swarm may say
// it completed before they do).
constexpr const char* k_judge = R"sh(
settled() {
  [ "$running" -eq "$wanted" ] && [ "$should" -eq "$wanted" ] && { [ "$wanted" -gt 0 ] || [ "$alive" -eq 0 ]; }
}
judge() {
  now=$(date +%s)
  if [ -n "$stuck" ]; then stuck_since=${stuck_since:-$now}; else stuck_since=""; fi
  case $ustate in
    paused|rollback_paused) verdict=paused; return ;;
    rollback_started|rollback_completed)
      if [ "$ustate" = rollback_completed ] && settled; then verdict=rolled_back; return; fi
      if [ -z "$rolling" ]; then rolling=yes; end=$((now + timeout)); fi ;;
    none|completed)
      if settled; then verdict=converged; return; fi
      if [ "$ustate" = none ] && [ -n "$failed" ]; then verdict=failed; return; fi ;;
  esac
  why=""
  # While a rollback runs, only its deadline ends the wait.
  if [ -z "$rolling" ] && [ -n "$stuck_since" ] && [ $((now - stuck_since)) -ge "$grace" ]; then why=stuck; fi
  if [ "$now" -ge "$end" ]; then why=timeout; fi
  [ -n "$why" ] || return 0
  if [ "$ustate" = updating ] && [ "$cause" = none ]; then
    # What the outcome reports: the counts and task when calzion gave up.
    cause=$why; counts="$running/$wanted"; cause_task=$stuck; cause_err=$stuck_err; rolling=yes; end=$((now + timeout)); stuck_since=""
    docker service rollback --detach "$svc" >/dev/null 2>&1 || verdict=$why
  else
    verdict=$why
  fi
}
)sh";

constexpr const char* k_main = R"sh(
idir=$1; svc=$2; timeout=$3; lines=$4; grace=$5; shift 5
before=" $(docker service ps -q --no-trunc "$svc" 2>/dev/null | tr '\n' ' ') "
if [ $# -gt 0 ] && ! err=$("$@" 2>&1 >/dev/null); then
  echo "change_failed none 0/0 none"; echo "@@swarm message"; printf '%s\n' "$err"; exit 1
fi
end=$(($(date +%s) + timeout)); verdict=""; cause=none; rolling=""; stuck_since=""; counts=""; cause_task=""; cause_err=""
while :; do
  s=$(docker service inspect --format "$service_format" "$svc" 2>/dev/null) || { echo "gone none 0/0 $cause"; exit 1; }
  read -r ustate wanted force label <<EOF
$s
EOF
  count_tasks
  judge
  [ -z "$verdict" ] || break
  sleep 0.5 2>/dev/null || sleep 1
done
echo "$verdict $ustate ${counts:-$running/$wanted} $cause"
if [ "$verdict" = converged ]; then record_version "$svc"; exit 0; fi
echo "@@swarm message"
docker service inspect --format '{{if .UpdateStatus}}{{.UpdateStatus.Message}}{{end}}' "$svc" 2>/dev/null
task=${failed:-${stuck:-$cause_task}}
if [ -n "$task" ]; then
  echo "@@swarm task"
  # A pending task the rollback removed is known only by what it said then.
  docker inspect --type task --format '{{.ID}} {{.Status.Err}}' "$task" 2>/dev/null || echo "$task $cause_err"
  c=$(docker inspect --type task --format '{{with .Status.ContainerStatus}}{{.ContainerID}}{{end}}' "$task" 2>/dev/null)
  # A task that never had a container (not scheduled) has no health check or logs.
  if [ -n "$c" ]; then
    echo "@@swarm health"
    docker container inspect --format '{{with .State.Health}}{{range .Log}}{{.Output}}{{end}}{{end}}' "$c" 2>/dev/null | tail -n 1
    echo "@@swarm logs"
    docker service logs --no-task-ids --tail "$lines" "$task" 2>&1
  fi
fi
record_version "$svc"
exit 1
)sh";

}  // namespace

Argv converge_argv(const std::string& instance_dir, const std::string& name, const Argv& change,
                   int timeout_seconds, int log_lines) {
    std::vector<std::string> args = {instance_dir, name, std::to_string(timeout_seconds), std::to_string(log_lines),
                                     std::to_string(k_stuck_seconds)};
    args.insert(args.end(), change.begin(), change.end());
    return util::script_argv(std::string(k_formats) + k_count + k_judge + record_version_function() + k_main, args);
}

ConvergeOutcome parse_converge(const std::string& output) {
    ConvergeOutcome outcome;
    // The logs come last and may hold anything: they end the output.
    const std::string logs_marker = "@@swarm logs\n";
    size_t logs = output.find("\n" + logs_marker);
    std::string head = logs == std::string::npos ? output : output.substr(0, logs + 1);
    if (logs != std::string::npos) {
        outcome.logs = output.substr(logs + 1 + logs_marker.size());
    }
    std::istringstream first(head.substr(0, head.find('\n')));
    std::string counts;
    first >> outcome.verdict >> outcome.update_state >> counts >> outcome.cause;
    size_t slash = counts.find('/');
    if (slash != std::string::npos) {
        outcome.running = std::max(0, state::number_in(counts.substr(0, slash)));
        outcome.wanted = std::max(0, state::number_in(counts.substr(slash + 1)));
    }
    if (outcome.cause == "none") {
        outcome.cause.clear();
    }
    auto sections = state::sections_of(head, "@@swarm ");
    outcome.message = state::trimmed(sections["message"]);
    std::string task = state::trimmed(sections["task"]);
    size_t space = task.find(' ');
    outcome.task = task.substr(0, space);
    outcome.task_error = space == std::string::npos ? "" : task.substr(space + 1);
    outcome.had_container = sections.count("health") > 0;
    outcome.health = state::trimmed(sections["health"]);
    return outcome;
}

}  // namespace calzion::swarm
