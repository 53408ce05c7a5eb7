#!/usr/bin/env bash
# A start-first replacement fails no request (calzion(1) DEPLOY DETAILS): while a service is
# replaced, a client in the instance's network asks `http://web:8000/` in a
# loop and this machine asks through host1's router in another; the test fails
# on any failed request. The new container joins the service's alias only once
# ready; the old one leaves it, drains, then stops.
# Then an interrupted replacement (the serving container parked as
# <container>_old, its replacement gone, as a deploy killed between
# the two leaves it): plan says the parked one keeps serving until the new one
# is ready, and the redeploy fails no request either.
# ctest: RESOURCE_LOCK host1-router
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
need_hosts 1
need_jq

router_image_on_host1

inst=$E2E_NAME
domain=$inst.example.test
infra=$T/calzion.infra.yaml
cz() { calzion --ssh-config "$CZ_SSH_CONFIG" --infra "$infra" "$@"; }
on_exit cz destroy --volumes "$inst" --lock-timeout 30s
on_exit host_docker 1 rm --force calzion-router
on_exit host_docker 1 rm --force "$E2E_NAME-client"
pollers=
stop_pollers() { touch "$T/stop"; if [ -n "$pollers" ]; then kill $pollers 2>/dev/null || true; fi; }
on_exit stop_pollers

# web answers with its TAG once its httpd listens, 2 s after it starts.
cat >"$T/app.yaml" <<'EOF2'
vars: {TAG: one}
services:
  web:
    image: local/busybox:1
    cmd: ["sh", "-c", "mkdir -p /www; echo \"tag $$TAG\" > /www/index.html; sleep 2; exec httpd -f -p 8000 -h /www"]
    env: {TAG: "${TAG}"}
    register: {8000: http}
    healthcheck: {cmd: "wget -q -O /dev/null http://127.0.0.1:8000/", interval: 1s, retries: 60}
EOF2
cat >"$infra" <<EOF2
hosts:
  one: host1
instances:
  $inst: {hosts: [one], domains: {web: $domain}}
router: {image: local/nginx:router}
EOF2

assert_exit 0 cz deploy "$T/app.yaml" "$inst"
via_router() { timeout 10 busybox wget -q -O - --header "Host: $domain" "http://$CZ_HOST1_ADDR/" 2>&1; }
wait_for 30 sh -c "timeout 10 busybox wget -q -O - --header 'Host: $domain' http://$CZ_HOST1_ADDR/ | grep -q 'tag one'"

# The two pollers, each at most 4000 requests: one line per request, "ok BODY"
# or "FAIL why".
host_docker 1 run -d --name "$E2E_NAME-client" --network "cz-$inst" local/busybox:1 sh -c '
  n=0
  while [ ! -e /tmp/stop ] && [ $n -lt 4000 ]; do
    n=$((n + 1))
    if out=$(timeout 10 wget -q -O - http://web:8000/ 2>&1); then echo "ok $out"; else echo "FAIL $out"; fi
    sleep 0.05 2>/dev/null || sleep 1
  done' >/dev/null
(
  n=0
  while [ ! -e "$T/stop" ] && [ $n -lt 4000 ]; do
    n=$((n + 1))
    if out=$(via_router); then echo "ok $out"; else echo "FAIL $out"; fi
    sleep 0.05 2>/dev/null || sleep 1
  done
) >"$T/router.log" 2>&1 &
pollers=$!
client_log() { host_docker 1 logs "$E2E_NAME-client" 2>&1; }
# seen TAG: both pollers got an answer from the container with TAG.
seen() { client_log | grep -q "^ok tag $1\$" && grep -q "^ok tag $1\$" "$T/router.log"; }
wait_for 30 seen one

# A replacement, start-first.
assert_exit 0 cz deploy "$T/app.yaml" "$inst" --set TAG=two
assert_contains "$ERR" "one web: replace (start-first)"
wait_for 30 seen two

# An interrupted replacement: the serving container parked, the new one gone.
host_docker 1 rename "${inst}_web" "${inst}_web_old"
assert_exit 0 cz plan "$T/app.yaml" "$inst" --set TAG=three
assert_contains "$OUT$ERR" "finishes an interrupted replacement; ${inst}_web_old keeps serving until the new container is ready"
assert_exit 0 cz deploy "$T/app.yaml" "$inst" --set TAG=three
wait_for 30 seen three
assert_eq "${inst}_web" "$(host_docker 1 ps -a --filter "label=io.calzion.instance=$inst" --format '{{.Names}}')" \
  "containers after the interrupted replacement was finished"

# Stop the pollers and count.
host_docker 1 exec "$E2E_NAME-client" touch /tmp/stop
touch "$T/stop"
wait "$pollers" || true
pollers=
wait_for 30 sh -c "[ \"\$(DOCKER_HOST=$CZ_HOST1_DOCKER_HOST docker inspect -f '{{.State.Running}}' $E2E_NAME-client)\" = false ]"
client_log >"$T/client.log"
for log in "$T/client.log" "$T/router.log"; do
  failed=$(grep -c '^FAIL' "$log" || true)
  ok=$(grep -c '^ok tag' "$log" || true)
  [ "$failed" = 0 ] || fail "$failed of $((failed + ok)) requests failed ($log): $(grep '^FAIL' "$log" | sort | uniq -c | head -5)"
  [ "$ok" -gt 0 ] || fail "no request got through ($log)"
done
