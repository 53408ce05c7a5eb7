#!/usr/bin/env bash
# The main job, end to end on this machine: build calzion, start a Docker host
# reached over SSH (its own dockerd and sshd in a network namespace), deploy
# examples/hello as demo-staging and demo-prod, and show both serving.
#
#   sudo scripts/demo.sh          run it (hosts stay up to play with)
#   sudo scripts/demo.sh stop     stop the demo host
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
dir=/tmp/calzion-demo

if [ "${1:-}" = stop ]; then
  exec bash tests/e2e/harness/hosts.sh down "$dir"
fi

bash scripts/setup.sh
bash scripts/build.sh >/dev/null
bash tests/e2e/harness/hosts.sh up "$dir" 1
. "$dir/env"

calzion() { "$root/build/calzion" --ssh-config "$CZ_SSH_CONFIG" --host host1 "$@"; }
template=examples/hello/calzion.yaml

echo "== deploy demo-staging and demo-prod to host1 ($CZ_HOST1_ADDR) over SSH"
calzion deploy "$template" demo-staging --set PORT=8081 --set GREETING=hi
calzion deploy "$template" demo-prod --set PORT=8082

echo "== deploying again changes nothing"
calzion deploy "$template" demo-staging --set PORT=8081 --set GREETING=hi

echo "== what runs"
calzion list
calzion status demo-prod

echo "== both serve"
for port in 8081 8082; do
  echo "http://$CZ_HOST1_ADDR:$port/ says: $(busybox wget -qO- "http://$CZ_HOST1_ADDR:$port/")"
done

cat <<MSG

The demo host is still up. Try:
  . $dir/env
  build/calzion --ssh-config \$CZ_SSH_CONFIG --host host1 plan $template demo-prod --set PORT=8082 --set GREETING=hey
Stop it with: sudo scripts/demo.sh stop
MSG
