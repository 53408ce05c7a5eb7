#!/usr/bin/env bash
# The e2e swarm (harness/swarm.sh) is what the swarm tests rely on, shown with
# the docker CLI alone: three Ready nodes named host1..host3; a service spread
# one task per node on an attachable overlay network, whose name resolves to
# every task (dnsrr) from each node, and whose host-mode published port answers
# at each node's address; the registry every node pulls from; a node whose
# engine dies goes Down, its task runs elsewhere, and it comes back Ready.
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
# shellcheck source=lib/swarm.sh
. "$(dirname "$0")/lib/swarm.sh"
need_swarm

tag=cz-$E2E_NAME
# The tasks' PID 1 (busybox) ignores SIGTERM: each service stops its tasks
# after --stop-grace-period (10 s by default) with SIGKILL.
net=$tag-net
web=$tag-web
spread=$tag-spread
port=18201
# Cleanups run last first: the engine comes back (swarm_stop_engine) before
# the services, their containers and the network go.
on_exit swarm_network_rm "$net"
on_exit swarm_rm "$web" "$spread" "$tag-pull"

# Kernel facts the backend chooses by (no IPVS: dnsrr and host-mode ports).
if [ -e /proc/sys/net/ipv4/vs ]; then ipvs=1; else ipvs=0; fi
echo "IPVS (/proc/sys/net/ipv4/vs): $([ "$ipvs" = 1 ] && echo present || echo absent)" >&2
assert_eq "$ipvs" "$CZ_SWARM_IPVS" "CZ_SWARM_IPVS"

# ---------------------------------------------------------------- the nodes

assert_eq "host1 Ready Active Leader
host2 Ready Active worker
host3 Ready Active worker" \
  "$(swarm_docker node ls --format '{{.Hostname}} {{.Status}} {{.Availability}} {{if .ManagerStatus}}{{.ManagerStatus}}{{else}}worker{{end}}' | sort)" \
  "three Ready nodes named after the hosts"
for k in 1 2 3; do
  v=CZ_SWARM_NODE${k}_ADDR h=CZ_HOST${k}_ADDR
  assert_eq "${!h}" "${!v}" "CZ_SWARM_NODE${k}_ADDR"
  # shellcheck disable=SC2016
  assert_eq "host$k ${!v}" "$(sw "$k" sh -c 'echo "$(hostname) $(docker info -f "{{.Swarm.NodeAddr}}")"')" \
    "node $k over ssh: its hostname and the address it advertises"
  assert_eq "${!v}" "$(swarm_docker node inspect -f '{{.Status.Addr}}' "host$k")" "the manager knows host$k by its address"
  assert_exit 0 sw "$k" docker image inspect -f '{{.Id}}' local/busybox:1 local/nginx:router
  # root@ADDR, as an infrastructure file names a node, works with CZ_SSH_CONFIG.
  assert_eq "host$k" "$(ssh -F "$CZ_SSH_CONFIG" "root@${!v}" hostname)" "ssh root@${!v}"
done
assert_eq "$CZ_HOST1_ADDR" "$CZ_SWARM_MANAGER_ADDR" "CZ_SWARM_MANAGER_ADDR"

# ------------------------------------------ overlay, dnsrr, host-mode ports

swarm_docker network create --driver overlay --attachable "$net" >/dev/null
# Each task serves the name of the node it runs on.
# shellcheck disable=SC2016
swarm_docker service create --detach --quiet --name "$web" --stop-grace-period 1s --replicas 3 --replicas-max-per-node 1 \
  --endpoint-mode dnsrr --no-resolve-image --network "$net" --hostname '{{.Node.Hostname}}' \
  --publish "mode=host,target=80,published=$port" \
  "$CZ_IMAGE" sh -c 'mkdir -p /www && hostname >/www/index.html && exec httpd -f -p 80 -h /www' >/dev/null
wait_output 90 "host1=1 host2=1 host3=1" running_tasks_per_node "$web"

# From a container on the overlay network on each node: the service's name
# is every task's address, and each task answers.
# shellcheck disable=SC2016
probe='set -e
addrs=$(nslookup "$1" 2>/dev/null | awk "/^Name:/ { n = 1 } n && /^Address:/ { print \$2 }" | sort)
[ "$(echo "$addrs" | wc -w)" = "$2" ] || { echo "resolved to: $addrs"; exit 1; }
for a in $addrs; do timeout 5 wget -qO- "http://$a/"; done | sort -u | tr "\n" " "'
for k in 1 2 3; do
  wait_output 60 "host1 host2 host3 " host_docker "$k" run --rm --pull never --network "$net" "$CZ_IMAGE" sh -c "$probe" sh "$web" 3
done

# The published port, in host mode, answers at each node's address: from the
# root namespace (where calzion runs in the tests) and from another node.
for k in 1 2 3; do
  v=CZ_HOST${k}_ADDR
  wait_output 30 "host$k" curl -sf -m 5 "http://${!v}:$port/"
  assert_eq "host$k" "$(sw 1 curl -sf -m 5 "http://${!v}:$port/")" "host1 reaches host$k's published port"
done
swarm_rm "$web"

# ---------------------------------------------------------------- the registry

swarm_registry
assert_eq "$CZ_HOST1_ADDR:5000" "$CZ_SWARM_REGISTRY" "the registry listens at host1's address"
assert_eq "$CZ_SWARM_REGISTRY" "$CZ_E2E_INSECURE_REGISTRY" "the engines trust the registry"
pid=$(cat "$CZ_SWARM_DIR/registry/pid")
swarm_registry
assert_eq "$pid" "$(cat "$CZ_SWARM_DIR/registry/pid")" "registry is idempotent"
assert_eq '{}' "$(curl -sf -m 5 "http://$CZ_SWARM_REGISTRY/v2/")" "the registry answers from the root namespace"

image=$CZ_SWARM_REGISTRY/$tag:1
on_exit _registry_untag "$tag" 1
_registry_untag() {
  local digest
  digest=$(curl -sfI -m 5 -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    "http://$CZ_SWARM_REGISTRY/v2/$1/manifests/$2" | tr -d '\r' | sed -n 's/^docker-content-digest: //Ip')
  [ -z "$digest" ] || curl -sf -m 5 -X DELETE "http://$CZ_SWARM_REGISTRY/v2/$1/manifests/$digest"
}
# A node that pulled for a task has the image by digest only: remove it by id.
_rmi_everywhere() {
  local k ids
  for k in 1 2 3; do
    ids=$(host_docker "$k" images -q "$CZ_SWARM_REGISTRY/$tag" | sort -u)
    # shellcheck disable=SC2086
    [ -z "$ids" ] || host_docker "$k" rmi -f $ids
  done
}
on_exit _rmi_everywhere
assert_exit 0 sw 1 sh -c "docker tag $CZ_IMAGE $image && docker push $image"
assert_exit 0 sw 3 docker pull "$image"
assert_eq "$(host_docker 1 image inspect -f '{{.Id}}' "$image")" "$(host_docker 3 image inspect -f '{{.Id}}' "$image")" \
  "host3 pulled the image host1 pushed"
# A task scheduled on a node without the image pulls it from there.
assert_exit 1 host_docker 2 image inspect "$image"
swarm_docker service create --detach --quiet --name "$tag-pull" --stop-grace-period 1s --constraint node.hostname==host2 \
  "$image" sleep 3600 >/dev/null
wait_output 60 "host2=1" running_tasks_per_node "$tag-pull"
swarm_rm "$tag-pull"

# ---------------------------------------------- an engine dies, comes back

# shellcheck disable=SC2016
swarm_docker service create --detach --quiet --name "$spread" --stop-grace-period 1s --replicas 3 --replicas-max-per-node 2 \
  --endpoint-mode dnsrr --no-resolve-image --network "$net" --hostname '{{.Node.Hostname}}' \
  "$CZ_IMAGE" sh -c 'mkdir -p /www && hostname >/www/index.html && exec httpd -f -p 80 -h /www' >/dev/null
wait_output 90 "host1=1 host2=1 host3=1" running_tasks_per_node "$spread"
cid=$(host_docker 3 ps -q --filter "label=com.docker.swarm.service.name=$spread")
cpid=$(host_docker 3 inspect -f '{{.State.Pid}}' "$cid")
[ -e "/proc/$cpid" ] || fail "no process $cpid for host3's task"

t0=$(date +%s%N)
swarm_stop_engine 3
# The task's process died with the engine (a zombie waiting for init counts).
_dead() { local s; s=$(cat "/proc/$1/stat" 2>/dev/null) || return 0; s=${s##*) }; [ "${s%% *}" = Z ]; }
_dead "$cpid" || fail "host3's task process $cpid outlived its engine"
assert_exit 1 sw 3 docker info
assert_exit 0 sw 3 hostname
wait_output 60 down node_status 3
echo "host3 Down $((($(date +%s%N) - t0) / 1000000)) ms after its engine died" >&2
_off_host3() {
  local got
  got=$(running_tasks_per_node "$spread")
  case $got in
  "host1=1 host2=2" | "host1=2 host2=1") echo ok ;;
  *) echo "$got" ;;
  esac
}
wait_output 60 ok _off_host3
echo "its task rescheduled $((($(date +%s%N) - t0) / 1000000)) ms after its engine died" >&2

swarm_start_engine 3
assert_eq ready "$(node_status 3)" "host3 Ready again"
assert_eq "" "$(host_docker 3 ps -q --filter "label=com.docker.swarm.service.name=$spread")" \
  "host3 runs nothing of the service it lost"
# The node works again: a fourth task goes to it, and answers over the
# overlay network.
swarm_docker service scale --detach "$spread=4" >/dev/null 2>&1
_on_host3() { running_tasks_per_node "$spread" | grep -o 'host3=[0-9]*' || true; }
wait_output 60 host3=1 _on_host3
wait_output 60 "host1 host2 host3 " host_docker 1 run --rm --pull never --network "$net" "$CZ_IMAGE" sh -c "$probe" sh "$spread" 4
