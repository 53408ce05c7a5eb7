#!/usr/bin/env bash
# Benchmark: a 20-service template deployed to one host over SSH (a real sshd and
# dockerd from the e2e harness). Prints a table of wall seconds and SSH channels
# for: a bare `ssh host true`, the first deploy, a redeploy with nothing changed,
# and a change to one service. Run as root after building (scripts/build.sh).
#
#   bench/deploy.sh [SERVICES]        default 20
set -euo pipefail
cd "$(dirname "$0")/.."
services=${1:-20}
dir=/tmp/calzion-bench
# shellcheck source=bench/lib.sh
. bench/lib.sh
hosts_up 1
# run LABEL CMD...: time one command; channels come from calzion --verbose.
run() {
  local label=$1; shift
  local start end channels
  start=$(now)
  "$@" >/dev/null 2>"$dir/err" || { cat "$dir/err" >&2; exit 1; }
  end=$(now)
  channels=$(sed -n 's/^calzion: ssh channels opened: \([0-9]*\).*/\1/p' "$dir/err")
  printf '%-34s %8.2f %10s\n' "$label" "$(awk "BEGIN { print $end - $start }")" "${channels:--}"
}

deploy() { "$bin" --verbose --ssh-config "$CZ_SSH_CONFIG" --host host1 deploy "$template" bench "$@"; }

write_template 1
printf '%-34s %8s %10s\n' "what ($services services, 1 host)" "seconds" "channels"
run "ssh host1 true (OpenSSH)" ssh -F "$CZ_SSH_CONFIG" host1 true
run "first deploy" deploy
for attempt in 1 2 3; do
  run "redeploy, nothing changed ($attempt)" deploy
done
write_template changed
run "redeploy, one service changed" deploy
