#!/usr/bin/env bash
# Benchmark: one template of N services deployed to one plain host and to a
# three-node Docker Swarm (the e2e harness's swarm: three network namespaces,
# each its own sshd and dockerd, host1 the manager), first and with nothing
# changed. Prints a table of wall seconds and the SSH channels calzion opened.
# Run as root after building (scripts/build.sh).
#
#   bench/swarm.sh [SERVICES]        default 12
set -euo pipefail
cd "$(dirname "$0")/.."
services=${1:-12}
dir=/tmp/calzion-bench-swarm
# shellcheck source=bench/lib.sh
. bench/lib.sh
bash tests/e2e/harness/swarm.sh up "$dir" >/dev/null
trap 'bash tests/e2e/harness/swarm.sh down "$dir" >/dev/null 2>&1' EXIT
# shellcheck disable=SC1091
. "$dir/env"

infra=$dir/calzion.infra.yaml
cat >"$infra" <<EOF
hosts:
  host1: {address: root@$CZ_SWARM_NODE1_ADDR}
  host2: {address: root@$CZ_SWARM_NODE2_ADDR}
  host3: {address: root@$CZ_SWARM_NODE3_ADDR}
instances:
  plain: {hosts: [host2]}
  swarm: {backend: swarm, manager: host1, hosts: [host1, host2, host3]}
EOF

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
deploy() { "$bin" --verbose --ssh-config "$CZ_SSH_CONFIG" --infra "$infra" deploy "$template" "$1"; }
row() {  # LABEL: one plain deploy and one swarm deploy
  local plain_s plain_c swarm_s
  plain_s=$(seconds deploy plain)
  plain_c=$(cat "$dir/channels")
  swarm_s=$(seconds deploy swarm)
  printf '%-32s %8s %9s %8s %9s\n' "$1" "$plain_s" "$plain_c" "$swarm_s" "$(cat "$dir/channels")"
}

printf '%-32s %8s %9s %8s %9s\n' "what ($services services)" "plain" "channels" "swarm" "channels"
write_template 1
row "first deploy"
row "redeploy, nothing changed"
row "redeploy, nothing changed"
write_template changed
row "redeploy, one service changed"
