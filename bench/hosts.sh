#!/usr/bin/env bash
# Benchmark: the same deploy to one host and to three hosts at once (each a
# real sshd and dockerd from the e2e harness, in its own network namespace).
# Hosts are handled in parallel, so three should take about the wall time of
# one. Prints a table of wall seconds. Run as root after building
# (scripts/build.sh).
#
#   bench/hosts.sh [SERVICES]        default 10
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
services=${1:-10}
bin=${CALZION_BIN:-$root/build/calzion}
dir=/tmp/calzion-bench-hosts
[ -x "$bin" ] || { echo "bench: build first (scripts/build.sh)" >&2; exit 1; }

bash tests/e2e/harness/hosts.sh up "$dir" 3 >/dev/null
trap 'bash tests/e2e/harness/hosts.sh down "$dir" >/dev/null 2>&1' EXIT
. "$dir/env"

template=$dir/bench.yaml
write_template() {  # $1: the value of one service's env, to make a change
  echo "services:" >"$template"
  for i in $(seq 1 "$services"); do
    printf '  svc%s:\n    image: %s\n    cmd: sleep 1000000\n    env: {N: "%s"}\n' \
      "$i" "$CZ_IMAGE" "$([ "$i" = 1 ] && echo "$1" || echo "$i")" >>"$template"
  done
}

now() { date +%s.%N; }
seconds() {  # CMD...: wall seconds of one command
  local start end
  start=$(now)
  "$@" >/dev/null 2>"$dir/err" || { cat "$dir/err" >&2; exit 1; }
  end=$(now)
  awk "BEGIN { printf \"%.2f\", $end - $start }"
}
deploy() {  # INSTANCE HOST...: deploy the template to each host
  local instance=$1 args=()
  shift
  for host in "$@"; do args+=(--host "$host"); done
  "$bin" --ssh-config "$CZ_SSH_CONFIG" "${args[@]}" deploy "$template" "$instance"
}

printf '%-36s %10s %10s\n' "what ($services services)" "1 host" "3 hosts"
write_template 1
printf '%-36s %10s %10s\n' "first deploy" "$(seconds deploy one host1)" "$(seconds deploy three host1 host2 host3)"
printf '%-36s %10s %10s\n' "redeploy, nothing changed" "$(seconds deploy one host1)" "$(seconds deploy three host1 host2 host3)"
write_template changed
printf '%-36s %10s %10s\n' "redeploy, one service changed" "$(seconds deploy one host1)" "$(seconds deploy three host1 host2 host3)"
