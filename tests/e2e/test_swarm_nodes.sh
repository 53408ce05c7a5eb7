#!/usr/bin/env bash
# Day two on a swarm instance (calzion(1) INFRASTRUCTURE FILE, "backend: swarm"):
#   - a worker's engine dies: its task is rescheduled on the other nodes, and
#     `status` shows the replicas where they now run and says that node is down;
#   - secrets are Swarm secrets: the value is the file /run/secrets/NAME (and
#     NAME_FILE points at it); a new value is a new secret, rolled out, and
#     the old one is gone from the swarm;
#   - `logs` reads every task's lines; `restart` is a rolling restart (new
#     tasks, the spec unchanged); `stop` scales to 0 and `start` back;
#   - a service changed by hand (`docker service scale`) is drift in `status`,
#     and the next deploy sets it back;
#   - `destroy` removes the services, the network and the secrets, and keeps
#     the named volumes unless --volumes.
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
# shellcheck source=lib/swarm.sh
. "$(dirname "$0")/lib/swarm.sh"
need_swarm
need_jq

inst=$E2E_NAME
infra=$T/calzion.infra.yaml
cz() { calzion --ssh-config "$CZ_SSH_CONFIG" --infra "$infra" "$@"; }
on_exit cz destroy --volumes --missing-ok "$inst"

cat >"$T/app.yaml" <<'EOF'
services:
  web:
    image: local/busybox:1
    cmd: ["sh", "-c", "echo \"task on $$(hostname) up\"; mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www"]
    secrets: [API_TOKEN]
    volumes: ["cache:/cache"]
    healthcheck:
      cmd: [sh, -c, "wget -qO- http://127.0.0.1:8080/ >/dev/null"]
      interval: 1s
      timeout: 2s
      retries: 3
EOF
swarm_infra "$infra" "$inst" "scale: {web: 3}"
secret_names() { swarm_docker secret ls --filter "label=io.calzion.instance=$inst" --format '{{.Name}}' | sort | paste -sd' ' -; }
running_total() { swarm_docker service ps --filter desired-state=running --format '{{.CurrentState}}' "${inst}_web" | grep -c '^Running' || true; }

API_TOKEN='first-t0ken $(id) "q"' assert_exit 0 cz deploy "$T/app.yaml" "$inst"
wait_output 60 "host1=1 host2=1 host3=1" running_tasks_per_node "${inst}_web"

# --- A worker's engine dies: its task goes elsewhere, status says so.
swarm_stop_engine 3
wait_output 90 "down" node_status 3
wait_output 90 "3" running_total
assert_not_contains "$(running_tasks_per_node "${inst}_web")" "host3" "a task still counts as running on the dead node"
assert_exit 0 cz status "$inst"
assert_contains "$OUT" "3/3 on host1"
assert_contains "$OUT" "host3: node down"
swarm_start_engine 3
wait_output 90 "ready" node_status 3

# --- Secrets: a file in the task, named per content in the swarm.
assert_exit 0 cz exec "$inst" web -- sh -c 'cat /run/secrets/API_TOKEN; echo; printf %s "$API_TOKEN_FILE"'
assert_eq 'first-t0ken $(id) "q"'$'\n''/run/secrets/API_TOKEN' "$OUT"
first_secret=$(secret_names)
case $first_secret in "${inst}_API_TOKEN_"????????) ;; *) fail "unexpected secret name: $first_secret" ;; esac
assert_exit 0 swarm_docker service inspect "${inst}_web"
assert_not_contains "$OUT" "first-t0ken" "the secret's value is in the service spec"

API_TOKEN=second-token assert_exit 0 cz deploy "$T/app.yaml" "$inst"
assert_contains "$ERR" "secrets changed"
assert_exit 0 cz exec "$inst" web -- cat /run/secrets/API_TOKEN
assert_eq "second-token" "$OUT"
second_secret=$(secret_names)
[ "$second_secret" != "$first_secret" ] || fail "the rotated secret kept its name"
case $second_secret in "${inst}_API_TOKEN_"????????) ;; *) fail "the old secret is still there: $second_secret" ;; esac

# --- logs: every task's lines.
assert_exit 0 cz logs "$inst" web
nodes=$(printf '%s\n' "$OUT" | sed -n 's/^[^ ]*@\(host[0-9]\) *| task on .* up$/\1/p' | sort -u | wc -l)
[ "$nodes" -ge 2 ] || fail "logs show the tasks of $nodes node(s): $OUT"
[ "$(printf '%s\n' "$OUT" | grep -c 'task on .* up')" -ge 3 ] || fail "logs do not show three tasks: $OUT"

# --- restart: a rolling restart, new tasks, the same spec.
tasks_before=$(swarm_docker service ps -q --filter desired-state=running "${inst}_web" | sort | paste -sd' ' -)
spec=$(swarm_docker service inspect -f '{{index .Spec.Labels "io.calzion.spec-hash"}}' "${inst}_web")
assert_exit 0 cz restart "$inst" web
wait_output 60 "3" running_total
tasks_after=$(swarm_docker service ps -q --filter desired-state=running "${inst}_web" | sort | paste -sd' ' -)
[ "$tasks_before" != "$tasks_after" ] || fail "restart left the same tasks running"
assert_eq "$spec" "$(swarm_docker service inspect -f '{{index .Spec.Labels "io.calzion.spec-hash"}}' "${inst}_web")"
assert_exit 0 cz status "$inst"
assert_not_contains "$OUT" "drift" "calzion's own restart shows as drift"

# --- stop scales to 0, start back to 3.
assert_exit 0 cz stop "$inst" web
assert_eq "0" "$(swarm_docker service inspect -f '{{.Spec.Mode.Replicated.Replicas}}' "${inst}_web")"
assert_exit 0 cz start "$inst" web
assert_eq "3" "$(swarm_docker service inspect -f '{{.Spec.Mode.Replicated.Replicas}}' "${inst}_web")"
assert_eq "3" "$(running_total)"

# --- Changed by hand: drift, and the next deploy sets it back.
swarm_docker service scale --detach "${inst}_web=1" >/dev/null
assert_exit 0 cz status "$inst"
assert_contains "$OUT" "drift: changed outside calzion"
API_TOKEN=second-token assert_exit 0 cz deploy "$T/app.yaml" "$inst"
assert_eq "3" "$(swarm_docker service inspect -f '{{.Spec.Mode.Replicated.Replicas}}' "${inst}_web")"
assert_exit 0 cz status "$inst"
assert_not_contains "$OUT" "drift"

# --- destroy: services, network and secrets go; the volume stays without --volumes.
assert_exit 0 cz destroy "$inst"
assert_eq "" "$(swarm_docker service ls -q --filter "label=io.calzion.instance=$inst")"
assert_eq "" "$(secret_names)"
wait_for 60 sh -c "! DOCKER_HOST=$CZ_HOST1_DOCKER_HOST docker network inspect cz-$inst >/dev/null 2>&1"
volume=$(swarm_docker volume ls -q --filter "label=io.calzion.instance=$inst")
[ -n "$volume" ] || fail "destroy without --volumes removed the named volume"
assert_exit 0 cz destroy --volumes --missing-ok "$inst"
assert_eq "" "$(swarm_docker volume ls -q --filter "label=io.calzion.instance=$inst")"
