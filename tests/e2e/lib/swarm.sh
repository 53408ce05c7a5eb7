# swarm.sh: helpers for the swarm tests (tests/e2e/test_swarm_*.sh), sourced
# after lib/e2e.sh. The swarm is harness/swarm.sh's: nodes host1..host3 (host1
# the manager), reached like the e2e hosts (CZ_SSH_CONFIG, host_docker K,
# host_ssh K).
#
#   . "$(dirname "$0")/lib/e2e.sh"
#   . "$(dirname "$0")/lib/swarm.sh"
#   need_swarm                          # or skip (77) / fail in CI
#   sw 2 docker ps                      # a command on node 2 over ssh
#   swarm_infra "$T/infra.yaml" "$E2E_NAME" "scale: {web: 3}"
#   calzion --ssh-config "$CZ_SSH_CONFIG" --infra "$T/infra.yaml" deploy app.yaml "$E2E_NAME"
#   wait_output 60 "host1=1 host2=1 host3=1" running_tasks_per_node "${E2E_NAME}_web"
#
# ctest runs test_swarm_*.sh with CZ_SWARM_DIR (and CZ_E2E_DIR) set to the
# swarm's directory, one at a time (RESOURCE_LOCK e2e_swarm).
# shellcheck shell=bash

E2E_SWARM_SH=$(cd "$E2E_LIB_DIR/../harness" && pwd)/swarm.sh

# need_swarm: the swarm of harness/swarm.sh must be up, every node Ready; its
# env ($CZ_SWARM_DIR/env, hosts.sh's and the CZ_SWARM_* variables) is sourced.
# Without it the test is skipped (77), except with CI=true where that fails.
need_swarm() {
  local why=
  if [ -z "${CZ_SWARM_DIR:-}" ]; then
    why="CZ_SWARM_DIR is not set"
  elif [ ! -f "$CZ_SWARM_DIR/env" ]; then
    why="no swarm up in $CZ_SWARM_DIR (no env file)"
  elif ! bash "$E2E_SWARM_SH" status "$CZ_SWARM_DIR" >"$T/.swarm-status" 2>&1; then
    why="the swarm in $CZ_SWARM_DIR is not up with every node Ready: $(cat "$T/.swarm-status")"
  fi
  if [ -n "$why" ]; then
    if [ "${CI:-}" = true ]; then fail "the test swarm is required in CI: $why"; fi
    echo "SKIP: $E2E_TEST: $why; start it with: $E2E_SWARM_SH up DIR && export CZ_SWARM_DIR=DIR" >&2
    trap - ERR
    _e2e_skipped=1
    exit 77
  fi
  # shellcheck disable=SC1091
  . "$CZ_SWARM_DIR/env"
  [ -n "${CZ_SWARM_MANAGER:-}" ] || fail "$CZ_SWARM_DIR/env has no CZ_SWARM_MANAGER"
}

# sw K CMD ARG...: run CMD on node K over ssh, each argument one word there
# (quoted here; the nodes' login shell is bash). Stdout and stderr pass through.
sw() {
  local k=$1 q
  shift
  printf -v q '%q ' "$@"
  ssh -F "$CZ_SSH_CONFIG" "host$k" "${q% }"
}

# swarm_docker ARGS...: docker against the manager's engine, from here.
swarm_docker() { host_docker 1 "$@"; }

# swarm_registry: start the swarm's registry (idempotent); CZ_SWARM_REGISTRY
# is then its ADDR:PORT, which every node trusts.
swarm_registry() {
  local rc=0
  bash "$E2E_SWARM_SH" registry "$CZ_SWARM_DIR" || rc=$?
  if [ "$rc" = 77 ] && [ "${CI:-}" != true ]; then
    # No docker-registry here (swarm.sh said so; with CI=true it fails instead).
    trap - ERR
    _e2e_skipped=1
    exit 77
  fi
  [ "$rc" = 0 ] || fail "cannot start the swarm's registry"
  # shellcheck disable=SC1091
  . "$CZ_SWARM_DIR/env"
  [ -n "${CZ_SWARM_REGISTRY:-}" ] || fail "no CZ_SWARM_REGISTRY in $CZ_SWARM_DIR/env"
}

# swarm_stop_engine K: node K's engine dies as in a crash (every container
# process with it); it is started again when the test exits, whatever happens.
swarm_stop_engine() {
  on_exit bash "$E2E_SWARM_SH" start-engine "$CZ_SWARM_DIR" "$1"
  bash "$E2E_SWARM_SH" stop-engine "$CZ_SWARM_DIR" "$1" || fail "cannot stop host$1's engine"
}
# swarm_start_engine K: start it again and wait until the node is Ready.
swarm_start_engine() {
  bash "$E2E_SWARM_SH" start-engine "$CZ_SWARM_DIR" "$1" || fail "cannot start host$1's engine again"
}

# swarm_infra [--registry] FILE INSTANCE [LINE...]: an infrastructure file
# whose hosts host1..host3 are the nodes (root@ADDR, known to CZ_SSH_CONFIG)
# and whose INSTANCE is `backend: swarm` on all three with host1 as manager;
# each LINE is one more key of the instance ("scale: {web: 3}"). --registry
# adds the file's `registry:` (the swarm's registry, started if need be).
swarm_infra() {
  local registry='' file inst line k
  if [ "${1:-}" = --registry ]; then
    swarm_registry
    registry=$CZ_SWARM_REGISTRY
    shift
  fi
  file=$1 inst=$2
  shift 2
  {
    echo "hosts:"
    for k in 1 2 3; do
      local v=CZ_SWARM_NODE${k}_ADDR
      echo "  host$k: {address: root@${!v}}"
    done
    if [ -n "$registry" ]; then echo "registry: \"$registry\""; fi
    echo "instances:"
    echo "  $inst:"
    echo "    backend: swarm"
    echo "    manager: $CZ_SWARM_MANAGER"
    echo "    hosts: [host1, host2, host3]"
    for line in "$@"; do echo "    $line"; done
  } >"$file"
}

# service_version SERVICE: the swarm's version index of SERVICE (it grows
# with every change of the service's spec, and only then).
service_version() { swarm_docker service inspect -f '{{.Version.Index}}' "$1"; }

# running_tasks_per_node SERVICE: "hostK=N ..." (sorted, nodes with N > 0):
# SERVICE's tasks that should run and do, per node.
running_tasks_per_node() {
  swarm_docker service ps --filter desired-state=running --format '{{.Node}} {{.CurrentState}}' "$1" |
    awk '$2 == "Running" { n[$1]++ } END { for (h in n) print h "=" n[h] }' | sort | paste -sd' ' -
}

# node_status K: the manager's view of node K: ready, down, unknown...
node_status() { swarm_docker node inspect -f '{{.Status.State}}' "host$1"; }

# wait_output SECONDS EXPECTED CMD...: retry CMD every 0.2 s until its stdout
# is EXPECTED; fail after SECONDS showing what it printed last.
wait_output() {
  local n=$(($1 * 5)) want=$2 got='' q
  shift 2
  while :; do
    got=$("$@" 2>&1) && [ "$got" = "$want" ] && return 0
    n=$((n - 1))
    if [ "$n" -le 0 ]; then
      printf -v q '%q ' "$@"
      fail "timed out waiting for ${q% } to print $(printf %q "$want")"$'\n'"  last output: $(printf %q "$got")"
    fi
    sleep 0.2
  done
}

# swarm_rm SERVICE...: remove the services and wait until none of their
# containers is left on any node (so that their networks can go).
swarm_rm() {
  local s k
  for s in "$@"; do swarm_docker service rm "$s" >/dev/null 2>&1 || true; done
  for k in 1 2 3; do
    for s in "$@"; do
      wait_for 60 _swarm_no_container "$k" "$s"
    done
  done
}
_swarm_no_container() {
  [ -z "$(host_docker "$1" ps -aq --filter "label=com.docker.swarm.service.name=$2")" ]
}

# swarm_network_rm NETWORK: remove an overlay network once nothing uses it.
swarm_network_rm() { wait_for 30 swarm_docker network rm "$1"; }
