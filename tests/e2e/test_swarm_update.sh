#!/usr/bin/env bash
# Rolling updates of a swarm instance (calzion(1) INFRASTRUCTURE FILE,
# "backend: swarm"):
#   - a change rolls over the replicas one at a time, start-first (the service
#     publishes no host port), each new task healthy before an old one goes:
#     a client polling the service by its name all along sees no failed
#     request, and then only the new version;
#   - a change whose health check fails rolls back by itself: deploy exits 1
#     naming the service, the failing task's error and its last log lines, and
#     the previous spec serves again, every replica.
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
# shellcheck source=lib/swarm.sh
. "$(dirname "$0")/lib/swarm.sh"
need_swarm

inst=$E2E_NAME
infra=$T/calzion.infra.yaml
cz() { calzion --ssh-config "$CZ_SSH_CONFIG" --infra "$infra" "$@"; }
poller=${inst}-poller
on_exit cz destroy --volumes --missing-ok "$inst"
on_exit swarm_docker rm -f "$poller"

cat >"$T/app.yaml" <<'EOF'
services:
  web:
    image: local/busybox:1
    cmd: ["sh", "-c", "mkdir -p /www && echo \"version ${version}\" > /www/index.html && echo \"serving version ${version}\" && exec httpd -f -p 8080 -h /www"]
    healthcheck:
      cmd: [sh, -c, "${check}"]
      interval: 1s
      timeout: 2s
      retries: 2
vars:
  version: "1"
  check: "wget -qO- http://127.0.0.1:8080/ >/dev/null"
EOF
swarm_infra "$infra" "$inst" "scale: {web: 2}"

assert_exit 0 cz deploy "$T/app.yaml" "$inst"
wait_output 60 "2" sh -c "DOCKER_HOST=$CZ_HOST1_DOCKER_HOST docker service ps --filter desired-state=running --format '{{.CurrentState}}' ${inst}_web | grep -c ^Running"

# A client on the instance's network asks for the page every 50 ms, one line per answer.
swarm_docker run -d --name "$poller" --network "cz-$inst" local/busybox:1 sh -c \
  'while :; do if r=$(wget -q -O- http://web:8080/ 2>&1); then echo "ok $r"; else echo "FAIL $r"; fi; usleep 50000; done' >/dev/null
wait_for 30 sh -c "DOCKER_HOST=$CZ_HOST1_DOCKER_HOST docker logs $poller 2>&1 | grep -q '^ok version 1'"

assert_exit 0 cz deploy "$T/app.yaml" "$inst" --set version=2
# After the update every replica serves version 2 (the poller sees it too).
wait_for 30 sh -c "DOCKER_HOST=$CZ_HOST1_DOCKER_HOST docker logs $poller 2>&1 | tail -n 5 | grep -q '^ok version 2'"
log=$(swarm_docker logs "$poller" 2>&1)
answers=$(printf '%s\n' "$log" | grep -c '^ok ')
[ "$answers" -ge 10 ] || fail "the poller answered only $answers times"
assert_eq "" "$(printf '%s\n' "$log" | grep -v '^ok ' || true)" "requests failed during the rolling update"
assert_eq "start-first" "$(swarm_docker service inspect -f '{{.Spec.UpdateConfig.Order}}' "${inst}_web")"

# A health check that never passes: the update rolls back by itself.
spec_before=$(swarm_docker service inspect -f '{{index .Spec.Labels "io.calzion.spec-hash"}}' "${inst}_web")
assert_exit 1 cz deploy "$T/app.yaml" "$inst" --set version=3 --set check="exit 1" --wait-timeout 90
assert_contains "$ERR" '"web"'
assert_contains "$ERR" "serving version 3" "the failing task's log lines are not shown"
assert_contains "$ERR" "Swarm rolled the update back: the previous spec serves again"
wait_output 90 "$spec_before" swarm_docker service inspect -f '{{index .Spec.Labels "io.calzion.spec-hash"}}' "${inst}_web"
wait_output 60 "2" sh -c "DOCKER_HOST=$CZ_HOST1_DOCKER_HOST docker service ps --filter desired-state=running --format '{{.CurrentState}}' ${inst}_web | grep -c ^Running"
assert_exit 0 swarm_docker exec "$poller" wget -qO- http://web:8080/
assert_eq "version 2" "$OUT" "the previous spec does not serve after the rollback"
assert_exit 0 cz status "$inst"
assert_contains "$OUT" "2/2"
