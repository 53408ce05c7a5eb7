#!/usr/bin/env bash
# Benchmark: a 20-service template deployed to one host over SSH (a real sshd and
# dockerd from the e2e harness). Prints a table of wall seconds and SSH channels
# for: a bare `ssh host true`, the first deploy, a redeploy with nothing changed,
# and a change to one service. Run as root after building (scripts/build.sh).
#
#   bench/deploy.sh [SERVICES]        default 20
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
services=${1:-20}
bin=$root/build/calzion
dir=/tmp/calzion-bench
[ -x "$bin" ] || { echo "bench: build first (scripts/build.sh)" >&2; exit 1; }

bash tests/e2e/harness/hosts.sh up "$dir" 1 >/dev/null
trap 'bash tests/e2e/harness/hosts.sh down "$dir" >/dev/null 2>&1' EXIT
. "$dir/env"

template=$dir/bench.yaml
write_template() {  # $1: the value of one service's env, to make a change
  echo "services:" > "$template"
  for i in $(seq 1 "$services"); do
    printf '  svc%s:\n    image: %s\n    cmd: sleep 1000000\n    env: {N: "%s"}\n' \
      "$i" "$CZ_IMAGE" "$([ "$i" = 1 ] && echo "$1" || echo "$i")" >> "$template"
  done
}

now() { date +%s.%N; }
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
