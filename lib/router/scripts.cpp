#include "router/scripts.hpp"

#include "exec/script_status.hpp"
#include "state/lock.hpp"
#include "state/state_dir_script.hpp"
#include "util/shell.hpp"

namespace calzion::router {

namespace {

// Print the state dir $d, its format, the sha256 of the router's configuration,
// each instance's current revision ("@@calzion instance NAME N" and the
// document, nothing when it cannot be read) and the containers labelled as the router, each
// as "/NAME STATUS SPEC-HASH NETWORK...".
constexpr const char* k_observe = R"sh(
calzion_router_observe() {
  echo "@@calzion state_dir"; echo "$d"
  echo "@@calzion format"; cat "$d/format" 2>/dev/null
  echo "@@calzion config"
  if [ -f "$d/router/nginx.conf" ]; then sha256sum < "$d/router/nginx.conf" | cut -d ' ' -f 1; fi
  for idir in "$d"/instances/*/; do
    [ -f "$idir/current" ] || continue
    i=${idir%/}; i=${i##*/}
    cur=$(cat "$idir/current" 2>/dev/null)
    case $cur in '' | *[!0-9]*) continue ;; esac
    echo "@@calzion instance $i $cur"
    cat "$idir/revisions/$cur.json" 2>/dev/null; echo
  done
  ids=$(docker ps -aq --no-trunc --filter label=io.calzion.router=1) || { echo "@@calzion docker-failed"; return 0; }
  echo "@@calzion container"
  if [ -n "$ids" ]; then
    docker container inspect --format '{{.Name}} {{.State.Status}} {{index .Config.Labels "io.calzion.spec-hash"}}{{range $n, $e := .NetworkSettings.Networks}} {{$n}}{{end}}' $ids 2>/dev/null
  fi
  echo "@@calzion end"
}
)sh";

constexpr const char* k_read = R"sh(
calzion_router_observe
)sh";

// The host's router lock (state/lock.hpp), then what the router needs under it.
constexpr const char* k_lock = R"sh(
owner=$2; wait=$3
calzion_lock "$d/router" "$owner" "$wait" no
calzion_router_observe
# Hold the lock until calzion closes stdin, finishes, dies or loses the connection.
cat > /dev/null
)sh";

constexpr const char* k_write = R"sh(
rdir=$1
mkdir -p "$rdir" || exit "$calzion_denied"
cat > "$rdir/nginx.conf.tmp.$$" && mv "$rdir/nginx.conf.tmp.$$" "$rdir/nginx.conf"
)sh";

// `calzion_serving PID`: the pids of the workers of the nginx master PID (a pid
// on the host: docker inspect's State.Pid) that take new connections. A worker
// told to quit by a reload is "worker process is shutting down": it finishes
// what it serves but takes nothing new. Reads /proc, so that the host needs no
// ps; prints nothing when the kernel does not list children.
constexpr const char* k_serving = R"sh(
calzion_serving() {
  for w in $(cat "/proc/$1/task/$1/children" 2>/dev/null); do
    # nginx pads its process title with NULs.
    [ "$(tr -d '\0' < "/proc/$w/cmdline" 2>/dev/null)" = "nginx: worker process" ] && echo "$w"
  done
}
)sh";

// nginx -t reads the new file where the container sees it; only a file it
// accepted replaces the one the router serves from. `nginx -s reload` only
// signals the master: the script waits until no worker that started before it
// takes new connections, so that the new configuration serves every request
// from then on (and a network it no longer needs can be left).
constexpr const char* k_replace = R"sh(
rdir=$1; c=$2; cdir=$3
mkdir -p "$rdir" || exit "$calzion_denied"
cat > "$rdir/nginx.conf.next" || exit 1
if ! docker exec "$c" nginx -t -q -c "$cdir/nginx.conf.next" >&2; then
  rm -f "$rdir/nginx.conf.next"
  exit "$calzion_refused"
fi
mv "$rdir/nginx.conf.next" "$rdir/nginx.conf" || exit 1
pid=$(docker inspect -f '{{.State.Pid}}' "$c") || exit 1
before=$(calzion_serving "$pid")
docker exec "$c" nginx -s reload -c "$cdir/nginx.conf" >&2 || exit "$calzion_not_reloaded"
if [ -z "$before" ]; then sleep 1; exit 0; fi
n=0
while :; do
  now=" $(calzion_serving "$pid" | tr '\n' ' ')"
  old=
  for w in $before; do case $now in *" $w "*) old=$w ;; esac; done
  [ -z "$old" ] && [ "$now" != " " ] && exit 0
  n=$((n + 1))
  if [ "$n" -ge 100 ]; then echo "nginx did not take up the new configuration within 10 s" >&2; exit "$calzion_not_serving"; fi
  sleep 0.1
done
)sh";

// A router just created or started: its configuration must pass nginx -t, and
// its workers must be up before the router is said to serve.
constexpr const char* k_check = R"sh(
c=$1; conf=$2
docker exec "$c" nginx -t -q -c "$conf" >&2 || exit "$calzion_refused"
pid=$(docker inspect -f '{{.State.Pid}}' "$c") || exit 1
[ -r "/proc/$pid/task/$pid/children" ] || { sleep 1; exit 0; }
n=0
until [ -n "$(calzion_serving "$pid")" ]; do
  n=$((n + 1))
  if [ "$n" -ge 100 ]; then echo "nginx has no worker 10 s after it started" >&2; exit "$calzion_not_serving"; fi
  sleep 0.1
done
)sh";

constexpr const char* k_remove = R"sh(
rm -f "$1/nginx.conf" "$1/nginx.conf.next"
)sh";

}  // namespace

std::vector<std::string> observe_argv(const std::string& state_dir) {
    return util::script_argv(std::string(state::k_resolve_state_dir) + k_observe + k_read, {state_dir});
}

std::vector<std::string> lock_and_observe_argv(const std::string& state_dir, const std::string& owner,
                                               int wait_seconds) {
    return util::script_argv(exec::script_status_prelude() + state::k_resolve_state_dir + state::lock_function() +
                                 k_observe + k_lock,
                 {state_dir, owner, std::to_string(wait_seconds)});
}

std::vector<std::string> write_config_argv(const std::string& router_dir) { return util::script_argv(exec::script_status_prelude() + k_write, {router_dir}); }

std::vector<std::string> replace_config_argv(const std::string& router_dir, const std::string& container,
                                             const std::string& config_dir) {
    return util::script_argv(exec::script_status_prelude() + k_serving + k_replace, {router_dir, container, config_dir});
}

std::vector<std::string> check_router_argv(const std::string& container, const std::string& config_file) {
    return util::script_argv(exec::script_status_prelude() + k_serving + k_check, {container, config_file});
}

std::vector<std::string> remove_config_argv(const std::string& router_dir) { return util::script_argv(k_remove, {router_dir}); }

}  // namespace calzion::router
