# e2e.sh: assertions and helpers for calzion's end-to-end tests (bash).
#
#   #!/usr/bin/env bash
#   . "$(dirname "$0")/lib/e2e.sh"
#   need_hosts                       # or skip (77) / fail in CI
#   assert_exit 0 calzion deploy --ssh-config "$CZ_SSH_CONFIG" --host host1 t.yaml x
#   assert_contains "$OUT" "created" "deploy output"
#
# Every test gets a fresh directory $T, removed on exit (kept if E2E_KEEP=1),
# and E2E_NAME, the test's name (test_foo_bar.sh -> foo-bar), to make unique
# instance and container names with. Failures name the test file and line.
# shellcheck shell=bash

set -Eeuo pipefail
export LC_ALL=C

E2E_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
E2E_HOSTS_SH=$(cd "$E2E_LIB_DIR/../harness" && pwd)/hosts.sh
E2E_TEST=$(basename "$0")
E2E_NAME=${E2E_TEST%.sh}
E2E_NAME=${E2E_NAME#test_}
E2E_NAME=$(printf %s "$E2E_NAME" | tr 'A-Z_' 'a-z-' | tr -cd 'a-z0-9-')

# Where the current assertion was called from: the first frame outside this
# file.
_e2e_where() {
  local i
  for ((i = 1; i < ${#BASH_SOURCE[@]}; i++)); do
    if [ "${BASH_SOURCE[$i]}" != "${BASH_SOURCE[0]}" ]; then
      echo "${BASH_SOURCE[$i]}:${BASH_LINENO[$((i - 1))]}"
      return
    fi
  done
  echo "$0"
}

_e2e_failed=
_e2e_skipped=
# fail MSG...: report and stop the test.
fail() {
  _e2e_failed=1
  echo "FAIL: $(_e2e_where): $*" >&2
  exit 1
}

# A command that fails under `set -e` outside an assertion also names its line.
_e2e_on_err() {
  local rc=$1 line=$2 src=$3 cmd=$4
  [ -z "$_e2e_failed" ] || return 0
  # In a subshell ($(...)), leave the report to the test's own shell.
  [ "$BASHPID" = "$$" ] || return 0
  _e2e_failed=1
  echo "FAIL: $src:$line: command exited $rc: $cmd" >&2
}
trap '_e2e_on_err $? "$LINENO" "${BASH_SOURCE[0]}" "$BASH_COMMAND"' ERR

# Cleanup: on_exit CMD... registers a command, run (last first) when the test
# exits, before $T is removed; failures there are reported, not fatal.
_e2e_cleanups=()
on_exit() {
  local q
  printf -v q '%q ' "$@"
  _e2e_cleanups+=("$q")
}
_e2e_exit() {
  local rc=$? i
  trap - ERR
  set +e
  # 77 tells ctest "skipped": only need_hosts may say that (and never in CI).
  # A calzion exit 77 (host key, permission) that escaped an assertion fails.
  if [ "$rc" = 77 ] && [ -z "$_e2e_skipped" ]; then
    echo "FAIL: $E2E_TEST: a command exited 77 outside an assertion; that is a failure, not a skip" >&2
    rc=1
  fi
  for ((i = ${#_e2e_cleanups[@]} - 1; i >= 0; i--)); do
    eval "${_e2e_cleanups[$i]}" >/dev/null 2>"$T/.cleanup.err" ||
      echo "warning: cleanup failed: ${_e2e_cleanups[$i]}: $(tail -n 3 "$T/.cleanup.err")" >&2
  done
  if [ -n "${E2E_KEEP:-}" ]; then
    echo "kept test directory $T" >&2
  else
    rm -rf "$T"
  fi
  if [ "$rc" = 0 ]; then echo "PASS: $E2E_TEST" >&2; fi
  exit "$rc"
}
T=$(mktemp -d "${TMPDIR:-/tmp}/cz-e2e-$E2E_NAME.XXXXXX")
export T
trap _e2e_exit EXIT

# assert_eq EXPECTED ACTUAL [MSG]
assert_eq() {
  [ "$1" = "$2" ] && return 0
  fail "${3:-values differ}"$'\n'"  expected: $(printf %q "$1")"$'\n'"  actual:   $(printf %q "$2")"
}

# assert_contains HAYSTACK NEEDLE [MSG]
assert_contains() {
  case $1 in *"$2"*) return 0 ;; esac
  fail "${3:-text does not contain $(printf %q "$2")}"$'\n'"  looked for: $(printf %q "$2")"$'\n'"  in: ${1:0:4000}"
}

# assert_not_contains HAYSTACK NEEDLE [MSG]
assert_not_contains() {
  case $1 in *"$2"*) fail "${3:-text contains $(printf %q "$2")}"$'\n'"  found: $(printf %q "$2")"$'\n'"  in: ${1:0:4000}" ;; esac
  return 0
}

# assert_exit CODE CMD...: run CMD; its stdout and stderr end up in $OUT and
# $ERR (and in the files $T/out and $T/err), its exit code in $STATUS. Stdin
# is inherited: `assert_exit 0 cmd <file` feeds it (not a pipe: that would
# run assert_exit in a subshell and lose $OUT).
assert_exit() {
  local want=$1 q
  shift
  # In an || list: neither errexit nor the ERR trap fire for CMD.
  STATUS=0
  "$@" >"$T/out" 2>"$T/err" || STATUS=$?
  OUT=$(cat "$T/out")
  ERR=$(cat "$T/err")
  [ "$STATUS" = "$want" ] && return 0
  printf -v q '%q ' "$@"
  fail "exit code $STATUS, expected $want: ${q% }"$'\n'"--- stdout:"$'\n'"${OUT:0:8000}"$'\n'"--- stderr:"$'\n'"${ERR:0:8000}"
}

# need_hosts: the test hosts from hosts.sh must be up (env in $CZ_E2E_DIR).
# Without them the test is skipped (exit 77), except with CI=true where a
# missing engine is a failure.
need_hosts() {
  local why=
  if [ -z "${CZ_E2E_DIR:-}" ]; then
    why="CZ_E2E_DIR is not set"
  elif [ ! -f "$CZ_E2E_DIR/env" ]; then
    why="no hosts up in $CZ_E2E_DIR (no env file)"
  elif ! "$E2E_HOSTS_SH" status "$CZ_E2E_DIR" >"$T/.status" 2>&1; then
    why="hosts in $CZ_E2E_DIR are not all up: $(cat "$T/.status")"
  fi
  if [ -n "$why" ]; then
    if [ "${CI:-}" = true ]; then fail "test hosts required in CI: $why"; fi
    echo "SKIP: $E2E_TEST: $why; start them with: $E2E_HOSTS_SH up DIR 2 && export CZ_E2E_DIR=DIR" >&2
    trap - ERR
    _e2e_skipped=1
    exit 77
  fi
  # shellcheck disable=SC1091
  . "$CZ_E2E_DIR/env"
  if [ -n "${1:-}" ] && [ "$CZ_HOST_COUNT" -lt "$1" ]; then
    if [ "${CI:-}" = true ]; then fail "test needs $1 hosts, $CZ_HOST_COUNT are up"; fi
    echo "SKIP: $E2E_TEST: needs $1 hosts, $CZ_HOST_COUNT are up" >&2
    trap - ERR
    _e2e_skipped=1
    exit 77
  fi
}

# calzion ARGS...: the binary under test (flags are the test's business).
calzion() {
  [ -n "${CALZION_BIN:-}" ] || fail "CALZION_BIN is not set"
  "$CALZION_BIN" "$@"
}

# host_docker K ARGS...: docker against host K's own engine, from here.
host_docker() {
  local v=CZ_HOST$1_DOCKER_HOST
  [ -n "${!v:-}" ] || fail "no host $1 (need_hosts first?)"
  shift
  DOCKER_HOST=${!v} docker "$@"
}

# host_ssh K CMD: run a shell command on host K over ssh (one string: ssh
# joins its arguments with spaces before the remote shell parses them).
host_ssh() {
  local k=$1
  shift
  ssh -F "$CZ_SSH_CONFIG" "host$k" "$@"
}

# wait_for SECONDS CMD...: retry CMD every 0.2 s until it succeeds; fail after
# SECONDS.
wait_for() {
  local n=$(($1 * 5)) q
  shift
  until "$@" >/dev/null 2>&1; do
    n=$((n - 1))
    if [ "$n" -le 0 ]; then
      printf -v q '%q ' "$@"
      fail "timed out waiting for: ${q% }"
    fi
    sleep 0.2
  done
}

# need_jq: the tests that read --json parse it with jq.
need_jq() {
  command -v jq >/dev/null || fail "jq is required (apt-get install jq)"
}

# instance_on_host1: the usual test set-up. inst is the test's instance name,
# idir its state directory on host1 (as seen from here), and cz runs calzion
# against host1; the instance and its data are destroyed when the test exits.
instance_on_host1() {
  inst=$E2E_NAME
  idir=$CZ_HOST1_STATE/instances/$inst
  cz() { calzion --ssh-config "$CZ_SSH_CONFIG" --host host1 "$@"; }
  on_exit cz destroy --volumes --missing-ok "$inst" --lock-timeout 30s
}

# router_image_on_host1: host1's engine has local/nginx:router, the router image
# built offline from this machine's nginx (harness/router-image.sh).
router_image_on_host1() {
  DOCKER_HOST=$CZ_HOST1_DOCKER_HOST bash "$E2E_LIB_DIR/../harness/router-image.sh" "$CZ_E2E_DIR/image" ||
    fail "cannot make the router image local/nginx:router on host1"
}
