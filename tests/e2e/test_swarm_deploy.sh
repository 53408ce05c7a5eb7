#!/usr/bin/env bash
# The same template on a plain host and on a three-node Docker Swarm
# (calzion(1) INFRASTRUCTURE FILE, "backend: swarm"), with no change to it:
#   - as a plain instance on one node's engine, and as a swarm instance through
#     the manager: services <instance>_<service> on the attachable overlay
#     network cz-<instance>, with calzion's labels and spec hash;
#   - `scale: {web: 3}`: three replicas, one on each node; a service finds
#     another by its name (every replica answers through DNS), and the expose
#     variable is the same as on a plain host;
#   - `exec` enters a running task on its own node;
#   - a redeploy with nothing changed costs one SSH channel and leaves every
#     service's version as it was; `plan` names a changed field; `status`
#     shows the replicas per node; `history` and `rollback` work unchanged;
#   - `destroy` removes the services and the network.
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
# shellcheck source=lib/swarm.sh
. "$(dirname "$0")/lib/swarm.sh"
need_swarm
need_jq

inst=$E2E_NAME
plain=$E2E_NAME-plain
infra=$T/calzion.infra.yaml
cz() { calzion --ssh-config "$CZ_SSH_CONFIG" --infra "$infra" "$@"; }
on_exit calzion --ssh-config "$CZ_SSH_CONFIG" --host host2 destroy --volumes --missing-ok "$plain"
on_exit cz destroy --volumes --missing-ok "$inst"

cat >"$T/app.yaml" <<'EOF'
services:
  web:
    image: local/busybox:1
    cmd: ["sh", "-c", "mkdir -p /www && echo \"$$GREETING from $$(hostname)\" > /www/index.html && exec httpd -f -p 8080 -h /www"]
    env: {GREETING: "${greeting}"}
    healthcheck:
      cmd: [sh, -c, "wget -qO- http://127.0.0.1:8080/ >/dev/null"]
      interval: 1s
      timeout: 2s
      retries: 3
  client:
    image: local/busybox:1
    cmd: ["sh", "-c", "exec sleep 3600"]
    depends_on: [web]
    expose:
      "web:8080": {env: WEB_URL, format: "http://{host}:{port}/index.html"}
vars:
  greeting: hello
EOF
swarm_infra "$infra" "$inst" "scale: {web: 3}"

# --- plain: the template as it is, on host2's engine, no infrastructure file.
assert_exit 0 calzion --ssh-config "$CZ_SSH_CONFIG" --host host2 deploy "$T/app.yaml" "$plain"
assert_eq "hello from" "$(host_docker 2 exec "${plain}_client" sh -c 'wget -qO- "$WEB_URL"' | cut -d' ' -f1-2)"
plain_url=$(host_docker 2 exec "${plain}_client" sh -c 'printf %s "$WEB_URL"')

# --- swarm: the same file, through the manager only.
assert_exit 0 cz deploy "$T/app.yaml" "$inst"
for s in web client; do
  assert_eq "$inst" "$(swarm_docker service inspect -f '{{index .Spec.Labels "io.calzion.instance"}}' "${inst}_$s")"
  [ -n "$(swarm_docker service inspect -f '{{index .Spec.Labels "io.calzion.spec-hash"}}' "${inst}_$s")" ] ||
    fail "service ${inst}_$s has no spec hash label"
done
assert_eq "overlay true" "$(swarm_docker network inspect -f '{{.Driver}} {{.Attachable}}' "cz-$inst")"
# Three replicas, one per node.
wait_output 60 "host1=1 host2=1 host3=1" running_tasks_per_node "${inst}_web"
# The expose variable reads as on the plain host; DNS answers every replica,
# and each answers.
url=$(cz exec "$inst" client -- sh -c 'printf %s "$WEB_URL"')
assert_eq "$plain_url" "$url" "the expose variable differs between plain and swarm"
assert_exit 0 cz exec "$inst" client -- sh -c \
  'n=0; for ip in $(nslookup web 2>/dev/null | sed -n "s/^Address: *\([0-9.]*\)$/\1/p" | grep -v "^127\."); do
     wget -qO- "http://$ip:8080/" | grep -q "^hello from " && n=$((n+1)); done; echo "$n"'
assert_eq 3 "$OUT" "not every replica answered through DNS"
assert_exit 0 cz exec "$inst" client -- sh -c 'wget -qO- "$WEB_URL"'
assert_contains "$OUT" "hello from "

# exec runs in a task on its own node, whichever that is.
client_node=$(swarm_docker service ps --filter desired-state=running --format '{{.Node}}' "${inst}_client")
client_container=$(host_docker "${client_node#host}" ps -q --filter "label=com.docker.swarm.service.name=${inst}_client")
assert_exit 0 cz exec "$inst" client -- hostname
assert_eq "$client_container" "$(printf %s "$OUT" | cut -c1-12)" "exec ran elsewhere than in the client's task"

# status: the replicas against those wanted, per node.
assert_exit 0 cz status "$inst"
assert_contains "$OUT" "3/3 on host1 (1), host2 (1), host3 (1)"
assert_exit 0 cz --json status "$inst"
assert_eq '{"nodes":{"host1":1,"host2":1,"host3":1},"running":3,"tasks":[],"wanted":3}' \
  "$(printf %s "$OUT" | jq -cS '.instances[0].services[] | select(.service == "web") | .replicas')"

# A redeploy that changes nothing: one channel, no service touched.
before=$(service_version "${inst}_web") client_before=$(service_version "${inst}_client")
assert_exit 0 cz --verbose deploy "$T/app.yaml" "$inst"
assert_contains "$ERR" "ssh channels opened: 1"
assert_eq "$before" "$(service_version "${inst}_web")" "a no-op deploy changed web's version"
assert_eq "$client_before" "$(service_version "${inst}_client")" "a no-op deploy changed client's version"
assert_exit 0 cz --json history "$inst"
assert_eq "[1]" "$(printf %s "$OUT" | jq -c '[.hosts[0].revisions[].revision]')" "a no-op deploy recorded a revision"

# plan names the changed field; the deploy brings the new greeting to every replica.
assert_exit 0 cz plan "$T/app.yaml" "$inst" --set greeting=howdy
assert_contains "$OUT" "web"
assert_contains "$OUT" "env"
assert_exit 0 cz deploy "$T/app.yaml" "$inst" --set greeting=howdy
assert_exit 0 cz exec "$inst" client -- sh -c \
  'for ip in $(nslookup web 2>/dev/null | sed -n "s/^Address: *\([0-9.]*\)$/\1/p" | grep -v "^127\."); do
     wget -qO- "http://$ip:8080/" | cut -d" " -f1; done | sort | uniq -c | sed "s/^ *//"'
assert_eq "3 howdy" "$OUT"

# history and rollback, unchanged.
assert_exit 0 cz rollback "$inst"
assert_eq "GREETING=hello" \
  "$(swarm_docker service inspect -f '{{range .Spec.TaskTemplate.ContainerSpec.Env}}{{println .}}{{end}}' "${inst}_web" | grep '^GREETING=')"
assert_exit 0 cz --json history "$inst"
assert_eq "3 3,2,1" "$(printf %s "$OUT" | jq -r '[.hosts[0].current_revision, ([.hosts[0].revisions[].revision] | join(","))] | join(" ")')"

# destroy: the services and the network go.
assert_exit 0 cz destroy "$inst"
assert_eq "" "$(swarm_docker service ls -q --filter "label=io.calzion.instance=$inst")"
wait_for 60 sh -c "! DOCKER_HOST=$CZ_HOST1_DOCKER_HOST docker network inspect cz-$inst >/dev/null 2>&1"
