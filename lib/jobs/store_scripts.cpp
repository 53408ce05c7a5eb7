#include "jobs/store_scripts.hpp"

#include "exec/script_status.hpp"
#include "jobs/step.hpp"
#include "jobs/store.hpp"
#include "state/lock.hpp"
#include "state/state_dir_script.hpp"
#include "util/shell.hpp"

namespace calzion::jobs {

namespace {

// Job directories are named by their number, without leading zeros; anything
// else in jobs/ is not a job. `calzion_live DIR` tells whether DIR's lock has a
// live holder, leaving its pid in $pid.
constexpr const char* k_functions = R"sh(
calzion_is_job() {
  case $1 in ''|0*|*[!0-9]*) return 1 ;; esac
}
calzion_live() {
  pid=$(cat "$1/lock/pid" 2>/dev/null)
  [ -n "$pid" ] && [ -d "/proc/$pid" ]
}
calzion_finished() {
  case $(cat "$1/state" 2>/dev/null) in succeeded|failed|error|canceled|superseded) return 0 ;; esac
  return 1
}
calzion_write() {
  wdir=$1; wstate=$2
  if cat > "$wdir/job.json.tmp.$$" && mv -f "$wdir/job.json.tmp.$$" "$wdir/job.json" &&
     printf '%s\n' "$wstate" > "$wdir/state.tmp.$$" && mv -f "$wdir/state.tmp.$$" "$wdir/state"; then
    return 0
  fi
  rm -f "$wdir/job.json.tmp.$$" "$wdir/state.tmp.$$"
  return 1
}
calzion_remove_containers() {
  ids=$(docker ps -aq --filter "$1") || return 1
  [ -z "$ids" ] || docker rm -f $ids > /dev/null
}
)sh";

// The next number is the highest job's plus one; a concurrent begin may make
// it first, and then the number after is tried. Pruning walks the jobs newest
// first: the `keep` newest stay, and of the older ones those that finished go.
// A finished job whose worker still holds its lock (tidying up) stays too.
constexpr const char* k_begin = R"sh(
i=$2; keep=$3; owner=$4
jdir=$d/instances/$i/jobs
mkdir -p "$jdir" 2>/dev/null || { echo "@@calzion denied"; echo "$jdir"; exit "$calzion_denied"; }
tries=0
while :; do
  n=0
  for f in "$jdir"/*; do
    b=${f##*/}
    calzion_is_job "$b" && [ "$b" -gt "$n" ] && n=$b
  done
  n=$((n + 1))
  mkdir "$jdir/$n" 2>/dev/null && break
  [ -e "$jdir/$n" ] || { echo "@@calzion denied"; echo "$jdir"; exit "$calzion_denied"; }
  tries=$((tries + 1))
  [ "$tries" -lt 100 ] || { echo "no free job number in $jdir" >&2; exit 1; }
done
calzion_lock "$jdir/$n" "$owner" 0 no
echo "@@calzion dir"; (cd "$jdir/$n" && pwd -P)
echo "@@calzion pid"; echo "$$"
for f in "$jdir"/*; do
  b=${f##*/}
  calzion_is_job "$b" && echo "$b"
done | sort -rn | {
  seen=0
  while read -r b; do
    seen=$((seen + 1))
    [ "$seen" -gt "$keep" ] && [ "$b" != "$n" ] || continue
    calzion_finished "$jdir/$b" && ! calzion_live "$jdir/$b" && rm -rf "$jdir/$b" 2>/dev/null
  done
}
echo "@@calzion end"
# Hold the lock until calzion closes stdin, finishes, dies or loses the connection.
cat > /dev/null
)sh";

// Take the lock of queued job $3 of instance $2 for a worker: refused (exit 1,
// "@@calzion taken") when another worker holds it or it is queued no more.
constexpr const char* k_claim = R"sh(
i=$2; n=$3; owner=$4
j=$d/instances/$i/jobs/$n
[ -d "$j" ] || { echo "@@calzion taken"; exit 1; }
if ! mkdir "$j/lock" 2>/dev/null; then
  # A claimer that died before the job ran leaves a stale lock: take over.
  pid=$(cat "$j/lock/pid" 2>/dev/null)
  if [ -n "$pid" ] && [ ! -d "/proc/$pid" ]; then
    mv "$j/lock" "$j/lock.stale.$$" 2>/dev/null && rm -rf "$j/lock.stale.$$"
  fi
  mkdir "$j/lock" 2>/dev/null || { echo "@@calzion taken"; exit 1; }
fi
trap 'rm -rf "$j/lock"' EXIT
trap 'exit 1' HUP INT TERM PIPE
[ "$(cat "$j/state" 2>/dev/null)" = queued ] || { echo "@@calzion taken"; exit 1; }
echo "$$" > "$j/lock/pid"
printf '%s\n' "$owner" > "$j/lock/owner"
echo "@@calzion locked"
echo "@@calzion dir"; (cd "$j" && pwd -P)
echo "@@calzion pid"; echo "$$"
echo "@@calzion end"
cat > /dev/null
)sh";

// The instance's queue: one worker at a time runs its queued jobs.
constexpr const char* k_queue_lock = R"sh(
i=$2; owner=$3; wait=$4
calzion_lock "$d/instances/$i/jobs/queue" "$owner" "$wait" no
echo "@@calzion end"
cat > /dev/null
)sh";

constexpr const char* k_write = R"sh(
calzion_write "$1" "$2"
)sh";

// What only a running job needs goes with it: its checkouts and source.
constexpr const char* k_settle = R"sh(
calzion_write "$1" "$2" || exit 1
calzion_remove_containers "$3"
rm -rf "$1/source.tar" "$1/source.tar.tmp" "$1/work"
)sh";

constexpr const char* k_receive = R"sh(
cat > "$1/source.tar.tmp" && mv -f "$1/source.tar.tmp" "$1/source.tar"
)sh";

constexpr const char* k_tidy = R"sh(
rm -rf "$1/source.tar" "$1/source.tar.tmp" "$1/work"
)sh";

constexpr const char* k_list = R"sh(
i=$2; only=$3
[ -d "$d/instances" ] || exit 0
if [ -n "$i" ]; then set -- "$d/instances/$i/"; else set -- "$d"/instances/*/; fi
for idir; do
  inst=${idir%/}; inst=${inst##*/}
  for j in "$idir"jobs/*/; do
    j=${j%/}; n=${j##*/}
    calzion_is_job "$n" || continue
    [ -z "$only" ] || [ "$n" = "$only" ] || continue
    [ -f "$j/job.json" ] || continue
    calzion_live "$j" || pid=0
    echo "@@calzion job $inst $n"
    (cd "$j" && pwd -P)
    echo "$pid"
    cat "$j/job.json"; echo
  done
done
exit 0
)sh";

// A log that does not end in a line break gets one before the next header.
constexpr const char* k_print_logs = R"sh(
headers=$1; shift
while [ $# -ge 2 ]; do
  if [ -f "$2" ]; then
    [ "$headers" = no ] || echo "==> $1 <=="
    cat "$2"
    [ "$headers" = no ] || [ -z "$(tail -c 1 "$2")" ] || echo
  fi
  shift 2
done
exit 0
)sh";

// Containers are removed again after the wait: a step may have started
// before the worker saw the cancel mark.
constexpr const char* k_cancel = R"sh(
dir=$1; filter=$2; wait=$3
touch "$dir/cancel" || exit 1
calzion_remove_containers "$filter"
waited=0
while calzion_live "$dir" && ! calzion_finished "$dir" && [ "$waited" -lt "$wait" ]; do
  sleep 1
  waited=$((waited + 1))
done
calzion_remove_containers "$filter"
echo "@@calzion alive"; if calzion_live "$dir"; then echo "$pid"; fi
echo "@@calzion record"; cat "$dir/job.json"
)sh";

std::string label_filter(const std::string& id) { return std::string("label=") + k_job_label + "=" + id; }

}  // namespace

std::vector<std::string> begin_job_argv(const std::string& state_dir, const std::string& instance, int keep,
                                        const std::string& owner) {
    return util::script_argv(exec::script_status_prelude() + state::k_resolve_state_dir + state::lock_function() +
                                 k_functions + k_begin,
                             {state_dir, instance, std::to_string(keep), owner});
}

std::vector<std::string> claim_job_argv(const std::string& state_dir, const std::string& instance, int number,
                                        const std::string& owner) {
    return util::script_argv(exec::script_status_prelude() + state::k_resolve_state_dir + k_functions + k_claim,
                             {state_dir, instance, std::to_string(number), owner});
}

std::vector<std::string> queue_lock_argv(const std::string& state_dir, const std::string& instance,
                                         const std::string& owner, int wait_seconds) {
    return util::script_argv(exec::script_status_prelude() + state::k_resolve_state_dir + state::lock_function() +
                                 k_queue_lock,
                             {state_dir, instance, owner, std::to_string(wait_seconds)});
}

std::vector<std::string> write_record_argv(const std::string& job_dir, const std::string& state) {
    return util::script_argv(std::string(k_functions) + k_write, {job_dir, state});
}

std::vector<std::string> settle_argv(const std::string& job_dir, const std::string& state, const std::string& id) {
    return util::script_argv(std::string(k_functions) + k_settle, {job_dir, state, label_filter(id)});
}

std::vector<std::string> receive_source_argv(const std::string& job_dir) {
    return util::script_argv(k_receive, {job_dir});
}

std::vector<std::string> tidy_argv(const std::string& job_dir) { return util::script_argv(k_tidy, {job_dir}); }

std::vector<std::string> list_jobs_argv(const std::string& state_dir, const std::string& instance, int number) {
    return util::script_argv(std::string(state::k_resolve_state_dir) + k_functions + k_list,
                             {state_dir, instance, number > 0 ? std::to_string(number) : ""});
}

std::vector<std::string> print_logs_argv(const std::vector<std::pair<std::string, std::string>>& logs,
                                         bool headers) {
    std::vector<std::string> args = {headers ? "yes" : "no"};
    for (const auto& [step, file] : logs) {
        args.push_back(step);
        args.push_back(file);
    }
    return util::script_argv(k_print_logs, args);
}

std::vector<std::string> cancel_argv(const std::string& job_dir, const std::string& id, int wait_seconds) {
    return util::script_argv(std::string(k_functions) + k_cancel,
                             {job_dir, label_filter(id), std::to_string(wait_seconds)});
}

}  // namespace calzion::jobs
