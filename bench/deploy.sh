#!/usr/bin/env bash
# Benchmark: a 20-service template deployed to one host over SSH (a real sshd and
# dockerd from the e2e harness), side by side with a plain script: one OpenSSH
# invocation running a shell script of the same docker commands. Prints a table of
# wall seconds, the SSH channels calzion opened, the plain script's seconds and
# the ratio calzion/plain for: the first deploy, a redeploy with nothing changed
# (plain: `ssh host true`), and a change to one service. The plain script waits
# for readiness as calzion does without a health check (running for 2 s). Run as
# root after building (scripts/build.sh).
#
#   bench/deploy.sh [SERVICES]        default 20
set -euo pipefail
cd "$(dirname "$0")/.."
services=${1:-20}
dir=/tmp/calzion-bench
# shellcheck source=bench/lib.sh
. bench/lib.sh
hosts_up 1

# seconds CMD...: run CMD, print its wall seconds; calzion's channel count
# (from --verbose) goes to $dir/channels.
seconds() {
  local start end
  start=$(now)
  "$@" >/dev/null 2>"$dir/err" || { cat "$dir/err" >&2; exit 1; }
  end=$(now)
  sed -n 's/^calzion: ssh channels opened: \([0-9]*\).*/\1/p' "$dir/err" >"$dir/channels"
  awk "BEGIN { printf \"%.2f\", $end - $start }"
}
# row LABEL PLAIN-CMD -- CALZION-CMD...: one line of the table.
row() {
  local label=$1 plain=$2 ours theirs
  shift 3
  theirs=$(seconds ssh -F "$CZ_SSH_CONFIG" host1 "$plain")
  ours=$(seconds "$@")
  printf '%-34s %8s %9s %8s %7s\n' "$label" "$ours" "$(cat "$dir/channels")" "$theirs" \
    "$(awk "BEGIN { printf \"%.2fx\", $ours / $theirs }")"
}

deploy() { "$bin" --verbose --ssh-config "$CZ_SSH_CONFIG" --host host1 deploy "$template" bench "$@"; }

# The plain script's docker commands. ready NAME...: running 2 s later, as
# calzion's readiness wait without a health check.
ready='ready() { sleep 2; for c in "$@"; do [ "$(docker inspect --format "{{.State.Status}}" "$c")" = running ] || exit 1; done; }'
plain_run() {  # NAME N: the docker run of service svcN with env N
  printf 'docker run -d --pull never --name %s --network plain --label plain=1 -e N=%s %s sleep 1000000 >/dev/null\n' \
    "$1" "$2" "$CZ_IMAGE"
}
plain_first=$({
  echo "$ready"
  echo "docker network create plain >/dev/null"
  for i in $(seq 1 "$services"); do plain_run "plain-svc$i" "$([ "$i" = 1 ] && echo 1 || echo "$i")"; done
  echo "ready $(seq -f 'plain-svc%g' -s ' ' 1 "$services")"
})
# Start first, as calzion: the new container runs and is ready before the old goes.
plain_change=$({
  echo "$ready"
  plain_run plain-svc1-new changed
  echo "ready plain-svc1-new && docker rm -f plain-svc1 >/dev/null && docker rename plain-svc1-new plain-svc1"
})

printf '%-34s %8s %9s %8s %7s\n' "what ($services services, 1 host)" "calzion" "channels" "plain" "ratio"
write_template 1
row "first deploy" "$plain_first" -- deploy
for attempt in 1 2 3; do
  row "redeploy, nothing changed ($attempt)" true -- deploy
done
write_template changed
row "redeploy, one service changed" "$plain_change" -- deploy
