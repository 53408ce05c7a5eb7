#!/usr/bin/env bash
# swarm.sh: a Docker Swarm of three test hosts for calzion's end-to-end tests.
#
#   swarm.sh up DIR              host1..host3 (hosts.sh) as one swarm, host1 its manager
#   swarm.sh registry DIR        start a registry at host1's address, port 5000 (idempotent)
#   swarm.sh down DIR            stop everything up and registry started (idempotent)
#   swarm.sh status DIR          print the nodes; exit 0 only if all are Ready
#   swarm.sh stop-engine DIR K   kill node K's engine as a crash would (returns at once)
#   swarm.sh start-engine DIR K  start it again; wait until the node is Ready (and the others)
#
# The hosts are those of `hosts.sh up DIR 3` (a network namespace, a dockerd and
# an sshd each, UTS hostname hostK, `ssh -F DIR/ssh_config hostK`). host1's
# engine runs `docker swarm init --advertise-addr` on its own address, host2 and
# host3 join as workers over theirs; swarm nodes are named host1..host3. Every
# node has local/busybox:1 and local/nginx:router (harness/router-image.sh), and
# trusts ADDR1:5000 (host1's address) as a plain-HTTP registry, running or not.
# The swarm's traffic (2377/tcp, 7946/tcp+udp, VXLAN 4789/udp) goes between the
# namespaces through the root namespace, which routes between the veths.
#
# `registry` runs Debian's docker-registry (/usr/bin/docker-registry, package
# docker-registry) in host1's network namespace with its own configuration and
# storage under DIR/registry; `down` stops it by its pid and removes its data.
#
# stop-engine is hosts.sh's: node K's dockerd, containerd, shims and container
# processes are SIGKILLed, its sshd stays; the manager reports the node Down
# once its heartbeat expires. Stopping host1 stops the manager (and the swarm's
# control plane) until it is started again.
#
# DIR/env (sourceable) is hosts.sh's plus, after the line "# swarm", the
# swarm's variables (CZ_SWARM_*: manager, node addresses, registry when it
# runs). DIR/ssh_config also names the nodes by address (root@ADDR works).
#
# Environment: as hosts.sh (CZ_E2E_TIMEOUT, default 60 s per wait;
# CZ_E2E_VERBOSE=1; CZ_E2E_KEEP_ON_FAILURE=1; CI=true: a swarm that cannot
# start here fails instead of exiting 77, the "skipped" code).
set -euo pipefail
umask 022
export LC_ALL=C

PROG=swarm.sh
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HOSTS_SH=$HERE/hosts.sh
ROUTER_IMAGE_SH=$HERE/router-image.sh
NODES=3
REGISTRY_PORT=5000
REGISTRY_BIN=/usr/bin/docker-registry
TIMEOUT=${CZ_E2E_TIMEOUT:-60}
ENV_MARK='# swarm (written by swarm.sh)'

die() { echo "$PROG: error: $*" >&2; exit 1; }
say() { if [ -n "${CZ_E2E_VERBOSE:-}" ]; then echo "$PROG: $*" >&2; fi; }
usage() {
  echo "usage:" >&2
  sed -n '4,9p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 64
}
# As hosts.sh: a failure in CI, "skipped" (77) elsewhere.
unavailable() {
  if [ "${CI:-}" = true ]; then die "$* (CI=true: the e2e swarm is required)"; fi
  echo "$PROG: cannot start the test swarm: $*; skipping" >&2
  exit 77
}
# hosts_sh ARGS...: hosts.sh, without our lock (the daemons it starts would
# hold it as long as they live).
hosts_sh() { bash "$HOSTS_SH" "$@" 7>&-; }
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

setup() {
  [ -n "$1" ] || die "DIR must not be empty"
  [ "$(id -u)" = 0 ] || unavailable "must run as root (dockerd, network namespaces)"
  DIR=$(realpath -m -- "$1")
  [ "$DIR" != / ] || die "DIR must not be /"
  REG_DIR=$DIR/registry
  REG_CONF=$REG_DIR/config.yml
  REG_PID=$REG_DIR/pid
}
lock() {
  mkdir -p "$DIR"
  exec 7>"$DIR/.swarm.lock"
  flock -w 300 7 || die "$DIR is locked by another swarm.sh"
}
# load_env: hosts.sh's variables (CZ_HOSTK_*) of an up DIR.
load_env() {
  [ -f "$DIR/env" ] || die "$DIR is not up (no $DIR/env): swarm.sh up $DIR"
  # shellcheck disable=SC1091
  . "$DIR/env"
  [ "${CZ_HOST_COUNT:-0}" -ge "$NODES" ] || die "$DIR has ${CZ_HOST_COUNT:-0} host(s), the swarm needs $NODES"
}
addr() { local v=CZ_HOST$1_ADDR; echo "${!v}"; }
# dk K ARGS...: docker against node K's engine (its socket, from here).
dk() {
  local v=CZ_HOST$1_DOCKER_HOST
  shift
  DOCKER_HOST=${!v} timeout 30 docker "$@"
}

# ---------------------------------------------------------------- processes

alive() {
  local st
  [ -n "${1:-}" ] && st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  st=${st##*) }
  [ "${st%% *}" != Z ]
}
read_pid() { local p; p=$(cat "$1" 2>/dev/null || true); case $p in '' | *[!0-9]*) echo "" ;; *) echo "$p" ;; esac; }
# cmdline_has PID WORD: PID is alive and WORD is one of its arguments.
cmdline_has() {
  alive "$1" || return 1
  tr '\0' '\n' 2>/dev/null <"/proc/$1/cmdline" | grep -qxF -- "$2"
}
stop_pids() {
  local p n=50
  [ $# -gt 0 ] || return 0
  kill -TERM "$@" 2>/dev/null || true
  for p in "$@"; do
    while alive "$p" && [ "$n" -gt 0 ]; do n=$((n - 1)); sleep 0.1; done
  done
  kill -KILL "$@" 2>/dev/null || true
}

# ---------------------------------------------------------------- the nodes

# node_table: "hostname status availability role" per node, as the manager sees them.
node_table() {
  dk 1 node ls --format '{{.Hostname}} {{.Status}} {{.Availability}} {{if .ManagerStatus}}manager{{else}}worker{{end}}' 2>/dev/null | sort
}
want_table() {
  local k
  for k in $(seq 1 "$NODES"); do
    if [ "$k" = 1 ]; then echo "host1 Ready Active manager"; else echo "host$k Ready Active worker"; fi
  done
}
# node_state K: node K's engine's own view (inactive, pending, active, error, locked).
node_state() { dk "$1" info -f '{{.Swarm.LocalNodeState}}' 2>/dev/null || echo unreachable; }

# wait_until WHAT T0 CMD...: CMD succeeds within TIMEOUT seconds (polled);
# says "WHAT in N ms" (since T0, from date +%s%N).
wait_until() {
  local what=$1 t0=$2 n=$((TIMEOUT * 10))
  shift 2
  until "$@"; do
    n=$((n - 1))
    [ "$n" -gt 0 ] || return 1
    sleep 0.1
  done
  say "$what in $(ms_since "$t0") ms"
}
all_ready() { [ "$(node_table)" = "$(want_table)" ]; }
# engines_ready K: node K's engine and every other one that runs are in the
# swarm, and the manager sees them Ready (after the manager's own restart it
# reports the others Unknown for a while).
engines_ready() {
  local k table
  [ "$(node_state "$1")" = active ] || return 1
  table=$(node_table)
  for k in $(seq 1 "$NODES"); do
    if [ "$k" = "$1" ] || [ "$(node_state "$k")" = active ]; then
      grep -q "^host$k Ready Active " <<<"$table" || return 1
    fi
  done
}

form_swarm() {
  local k p token pids=() t0
  t0=$(date +%s%N)
  # A DIR whose hosts were up already may hold part of a swarm: start over.
  for k in $(seq 1 "$NODES"); do
    if [ "$(node_state "$k")" != inactive ]; then dk "$k" swarm leave --force >/dev/null 2>&1 || true; fi
  done
  # Heartbeats every second (5 s by default): the manager reports a node
  # whose engine died Down within about a second of it instead of 10 to 15.
  dk 1 swarm init --advertise-addr "$(addr 1)" --listen-addr "$(addr 1):2377" --dispatcher-heartbeat 1s >/dev/null ||
    die "docker swarm init failed on host1"
  token=$(dk 1 swarm join-token -q worker) || die "cannot read the worker join token"
  for k in $(seq 2 "$NODES"); do
    dk "$k" swarm join --token "$token" --advertise-addr "$(addr "$k")" --listen-addr "$(addr "$k"):2377" \
      "$(addr 1):2377" >/dev/null 2>"$DIR/host$k/swarm-join.err" &
    pids+=($!)
  done
  k=2
  for p in "${pids[@]}"; do
    wait "$p" || die "host$k cannot join the swarm: $(tail -n 3 "$DIR/host$k/swarm-join.err")"
    k=$((k + 1))
  done
  wait_until "swarm formed, all $NODES nodes Ready" "$t0" all_ready ||
    die "the nodes are not all Ready after ${TIMEOUT}s:"$'\n'"$(node_table)"
}

# router_images: local/nginx:router on every node (the root file system is
# built once, into DIR/image, then imported in parallel).
router_images() {
  local k v pids=()
  DOCKER_HOST=$CZ_HOST1_DOCKER_HOST bash "$ROUTER_IMAGE_SH" "$DIR/image" || die "cannot make local/nginx:router on host1"
  for k in $(seq 2 "$NODES"); do
    v=CZ_HOST${k}_DOCKER_HOST
    DOCKER_HOST=${!v} bash "$ROUTER_IMAGE_SH" "$DIR/image" &
    pids+=($!)
  done
  for k in "${pids[@]}"; do wait "$k" || die "cannot make local/nginx:router on every node"; done
}

# ssh_by_address: DIR/ssh_config also answers for the nodes' addresses, so an
# infrastructure file may say `address: root@ADDR`. Once per ssh_config
# (hosts.sh writes a new one whenever it starts hosts afresh).
ssh_by_address() {
  local k addrs=''
  grep -qxF "$ENV_MARK" "$DIR/ssh_config" && return 0
  for k in $(seq 1 "$NODES"); do addrs="$addrs $(addr "$k")"; done
  cat >>"$DIR/ssh_config" <<EOF
$ENV_MARK
# The nodes by address (an infrastructure file's root@ADDR).
Host${addrs}
  User root
  IdentityFile $DIR/id_ed25519
  IdentitiesOnly yes
  UserKnownHostsFile $DIR/known_hosts
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  BatchMode yes
  ConnectTimeout 10
  LogLevel ERROR
EOF
}

# write_env: DIR/env is hosts.sh's lines plus the swarm's, replaced as a
# whole (atomically) whenever they change.
write_env() {
  local k tmp=$DIR/env.swarm.tmp addrs='' ipvs=0
  [ -e /proc/sys/net/ipv4/vs ] && ipvs=1
  for k in $(seq 1 "$NODES"); do addrs="$addrs $(addr "$k")"; done
  {
    sed "/^$ENV_MARK\$/,\$d" "$DIR/env"
    echo "$ENV_MARK"
    echo "export CZ_SWARM_DIR='$DIR'"
    echo "export CZ_SWARM_NODES='$(seq -f 'host%g' -s ' ' 1 "$NODES")'"
    echo "export CZ_SWARM_MANAGER=host1"
    echo "export CZ_SWARM_MANAGER_ADDR=$(addr 1)"
    echo "export CZ_SWARM_MANAGER_DOCKER_HOST='$CZ_HOST1_DOCKER_HOST'"
    echo "export CZ_SWARM_ADDRS='${addrs# }'"
    for k in $(seq 1 "$NODES"); do echo "export CZ_SWARM_NODE${k}_ADDR=$(addr "$k")"; done
    # 1 when this kernel has IPVS (VIP endpoints, the ingress routing mesh).
    echo "export CZ_SWARM_IPVS=$ipvs"
    if registry_running; then echo "export CZ_SWARM_REGISTRY=$(addr 1):$REGISTRY_PORT"; fi
  } >"$tmp"
  mv "$tmp" "$DIR/env"
}

swarm_env_written() { grep -qxF "$ENV_MARK" "$DIR/env" 2>/dev/null; }

# ---------------------------------------------------------------- registry

# registry_pid: the registry's pid, recorded or found by its configuration.
registry_pid() {
  local p
  p=$(read_pid "$REG_PID")
  if [ -n "$p" ] && cmdline_has "$p" "$REG_CONF"; then echo "$p"; else registry_leftovers | head -n 1 || true; fi
}
registry_running() { [ -n "$(registry_pid)" ]; }
# Registries started with this DIR's configuration, recorded or not.
registry_leftovers() {
  local f p
  # -z: one argument per "line" of a cmdline file, matched whole.
  grep -lzxF -- "$REG_CONF" /proc/[0-9]*/cmdline 2>/dev/null | while read -r f; do
    p=${f#/proc/}
    p=${p%/cmdline}
    if cmdline_has "$p" "$REG_CONF"; then echo "$p"; fi
  done || true
}
registry_answers() { curl -sf -m 2 -o /dev/null "http://$1/v2/"; }

cmd_registry() {
  setup "$1"
  [ -x "$REGISTRY_BIN" ] || unavailable "$REGISTRY_BIN is missing (package docker-registry)"
  lock
  load_env
  swarm_env_written || die "$DIR is not up as a swarm: swarm.sh up $DIR"
  local a p n
  a=$(addr 1):$REGISTRY_PORT
  p=$(registry_pid)
  if [ -n "$p" ]; then
    echo "$p" >"$REG_PID"
    grep -qxF "export CZ_SWARM_REGISTRY=$a" "$DIR/env" || write_env
    say "registry already running at $a"
    return 0
  fi
  mkdir -p "$REG_DIR/data"
  cat >"$REG_CONF" <<EOF
# docker-registry of the calzion e2e swarm (written by swarm.sh)
version: 0.1
log:
  level: warn
  accesslog: {disabled: true}
storage:
  filesystem: {rootdirectory: $REG_DIR/data}
  delete: {enabled: true}
http:
  addr: $a
EOF
  setsid nsenter --net="$CZ_HOST1_NETNS" -- "$REGISTRY_BIN" serve "$REG_CONF" \
    </dev/null >>"$REG_DIR/registry.log" 2>&1 7>&- &
  p=$!
  echo "$p" >"$REG_PID"
  n=$((TIMEOUT * 10))
  until registry_answers "$a"; do
    alive "$p" || die "docker-registry exited: $(tail -n 5 "$REG_DIR/registry.log")"
    n=$((n - 1))
    if [ "$n" -le 0 ]; then
      stop_pids "$p"
      die "docker-registry does not answer at http://$a/v2/ after ${TIMEOUT}s"
    fi
    sleep 0.1
  done
  write_env
  say "registry at $a, pid $p"
}

stop_registry() {
  local pids
  pids=$( (registry_pid; registry_leftovers) | sort -un)
  # shellcheck disable=SC2086
  stop_pids $pids
  if [ -d "$REG_DIR" ]; then
    rm -f "$REG_PID"
    rm -rf "$REG_DIR/data"
  fi
}

# ---------------------------------------------------------------- up, down

up_failed() {
  trap - EXIT
  if [ "$1" != 0 ] && [ "$1" != 77 ] && [ -z "${CZ_E2E_KEEP_ON_FAILURE:-}" ]; then
    stop_registry >/dev/null 2>&1 || true
    hosts_sh down "$DIR" >/dev/null 2>&1 || true
  fi
  exit "$1"
}

cmd_up() {
  setup "$1"
  local t0 t1 rp rc=0
  t0=$(date +%s%N)
  lock
  trap 'exit 143' TERM INT HUP PIPE
  trap 'up_failed $?' EXIT
  CZ_E2E_INSECURE_REGISTRY=host1:$REGISTRY_PORT hosts_sh up "$DIR" "$NODES" || rc=$?
  # 77: this machine cannot run hosts (hosts.sh already said why, and fails
  # instead with CI=true).
  [ "$rc" = 0 ] || exit "$rc"
  load_env
  say "hosts up in $(ms_since "$t0") ms"
  if all_ready && swarm_env_written; then
    trap - EXIT TERM INT HUP PIPE
    say "already up: $DIR"
    return 0
  fi
  # A swarm formed anew starts without a registry (one left from hosts that
  # are gone would not be reachable anyway).
  stop_registry
  # The router image is made while the swarm forms.
  t1=$(date +%s%N)
  (router_images && say "router images in $(ms_since "$t1") ms") 2>"$DIR/router-image.err" &
  rp=$!
  form_swarm
  wait "$rp" || die "cannot make local/nginx:router on every node: $(tail -n 5 "$DIR/router-image.err")"
  if [ -n "${CZ_E2E_VERBOSE:-}" ]; then cat "$DIR/router-image.err" >&2; fi
  ssh_by_address
  write_env
  trap - EXIT TERM INT HUP PIPE
  say "up: a swarm of $NODES nodes in $(ms_since "$t0") ms; source $DIR/env"
}

cmd_down() {
  setup "$1"
  # A DIR that is gone may still have left processes or namespaces behind.
  if [ -d "$DIR" ]; then lock; fi
  stop_registry
  hosts_sh down "$DIR"
  say "down: $DIR"
}

cmd_status() {
  setup "$1"
  local ok=0
  hosts_sh status "$DIR" || ok=1
  [ -f "$DIR/env" ] || return 1
  load_env
  swarm_env_written || { echo "$DIR: no swarm formed"; return 1; }
  node_table | sed 's/^/node /'
  all_ready || ok=1
  if registry_running; then echo "registry $(addr 1):$REGISTRY_PORT pid $(registry_pid)"; else echo "registry not running"; fi
  return $ok
}

# ---------------------------------------------------------------- one engine

engine_args() {
  setup "$1"
  case $2 in '' | *[!0-9]* | 0*) die "K must be a node number: $2" ;; esac
  [ "$2" -le "$NODES" ] || die "the swarm has $NODES nodes, no host$2"
  lock
  load_env
}

cmd_stop_engine() {
  engine_args "$1" "$2"
  hosts_sh stop-engine "$DIR" "$2"
}

cmd_start_engine() {
  engine_args "$1" "$2"
  local t0
  t0=$(date +%s%N)
  hosts_sh start-engine "$DIR" "$2"
  wait_until "host$2 Ready again" "$t0" engines_ready "$2" ||
    die "host$2 is not Ready after ${TIMEOUT}s: its engine says $(node_state "$2"); the manager:"$'\n'"$(node_table)"
}

case ${1:-} in
up) [ $# -eq 2 ] || usage; cmd_up "$2" ;;
registry) [ $# -eq 2 ] || usage; cmd_registry "$2" ;;
down) [ $# -eq 2 ] || usage; cmd_down "$2" ;;
status) [ $# -eq 2 ] || usage; cmd_status "$2" ;;
stop-engine) [ $# -eq 3 ] || usage; cmd_stop_engine "$2" "$3" ;;
start-engine) [ $# -eq 3 ] || usage; cmd_start_engine "$2" "$3" ;;
-h | --help | help) usage ;;
*) usage ;;
esac
