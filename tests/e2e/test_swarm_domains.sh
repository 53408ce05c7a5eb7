#!/usr/bin/env bash
# Domains of a swarm instance (calzion(1) INFRASTRUCTURE FILE, "backend:
# swarm", "edges"): the router is one global Swarm service, calzion-router,
# publishing its port in host mode on the edge nodes only; it reaches the
# service over the instance's overlay network, whichever node runs it.
# Destroying the last instance with domains removes the router, and the
# instance's network can go.
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
# shellcheck source=lib/swarm.sh
. "$(dirname "$0")/lib/swarm.sh"
need_swarm

inst=$E2E_NAME
domain=$inst.swarm.test
infra=$T/calzion.infra.yaml
cz() { calzion --ssh-config "$CZ_SSH_CONFIG" --infra "$infra" "$@"; }
on_exit cz destroy --volumes --missing-ok "$inst"

cat >"$T/app.yaml" <<'EOF'
services:
  web:
    image: local/busybox:1
    cmd: ["sh", "-c", "mkdir -p /www && echo \"hello from the swarm\" > /www/index.html && exec httpd -f -p 8080 -h /www"]
    register: {8080: http}
EOF
swarm_infra "$infra" "$inst" "edges: [host2, host3]" "domains: {web: [$domain]}" "place: {web: host1}"
echo "router: {image: local/nginx:router}" >>"$infra"
# get ADDR: the page the router on ADDR serves for the domain ("" when none answers).
get() { timeout 10 busybox wget -q -O - --header "Host: $domain" "http://$1/index.html" 2>/dev/null || true; }

assert_exit 0 cz deploy "$T/app.yaml" "$inst"
assert_contains "$ERR" "router"
assert_eq "global" "$(swarm_docker service inspect -f '{{if .Spec.Mode.Global}}global{{end}}' calzion-router)"
# web runs on host1 only; the edges host2 and host3 serve it, host1 does not.
assert_eq "host1=1" "$(running_tasks_per_node "${inst}_web")"
wait_output 60 "hello from the swarm" get "$CZ_SWARM_NODE2_ADDR"
wait_output 60 "hello from the swarm" get "$CZ_SWARM_NODE3_ADDR"
assert_eq "" "$(get "$CZ_SWARM_NODE1_ADDR")" "the router answers on host1, which is no edge"

# The last instance with domains goes: so do the router and the network.
assert_exit 0 cz destroy "$inst"
assert_eq "" "$(swarm_docker service ls -q --filter name=calzion-router)"
wait_for 60 sh -c "! DOCKER_HOST=$CZ_HOST1_DOCKER_HOST docker network inspect cz-$inst >/dev/null 2>&1"
