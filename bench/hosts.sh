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
services=${1:-10}
dir=/tmp/calzion-bench-hosts
# shellcheck source=bench/lib.sh
. bench/lib.sh
hosts_up 3
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
