#!/usr/bin/env bash
# restart, stop and start INSTANCE [SERVICE...] work from host state alone (no
# template): stop takes containers down in reverse start order, start brings
# them up in start order, each ready before the next; restart does both and
# gives the containers a new StartedAt. Only the services named are touched.
# Nothing about the spec changed, so no revision is recorded, only an audit
# line. status shows a stopped service as drift, and a later deploy converges.
# A container that does not become ready fails the start with exit 1 and its
# last log lines; an unknown service is a usage error (64) listing the services.
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
need_hosts 1
need_jq

instance_on_host1

# Every process stops at once on SIGTERM (a shell as PID 1 ignores it without
# a trap, and docker stop would wait 10 s). web refuses to start while
# /data/broken exists on the host.
cat >"$T/app.yaml" <<'EOF'
services:
  db:
    image: local/busybox:1
    cmd: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]
    healthcheck: {cmd: "true", interval: 1s}
  web:
    image: local/busybox:1
    cmd: ["sh", "-c", "if [ -e /data/broken ]; then echo \"config is broken\"; exit 3; fi; trap 'exit 0' TERM; while :; do sleep 1; done"]
    volumes: [/data]
    depends_on: [db]
  worker:
    image: local/busybox:1
    cmd: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]
    depends_on: [web]
EOF

state_of() { host_docker 1 inspect -f '{{.State.Status}}' "${inst}_$1"; }
started_at() { host_docker 1 inspect -f '{{.State.StartedAt}}' "${inst}_$1"; }
states() { echo "$(state_of db) $(state_of web) $(state_of worker)"; }
last_audit() { tail -n 1 "$idir/audit.log" | jq -c '[.command, .services, .revision, .result]'; }

assert_exit 0 cz deploy "$T/app.yaml" "$inst"
assert_eq "running running running" "$(states)" "after deploy"

# stop one service: only that container goes down.
assert_exit 0 cz stop "$inst" web
assert_eq "running exited running" "$(states)" "after stop web"
assert_eq "host1 web: stop
host1 web: stopped" "$ERR" "stop web output"
assert_exit 0 cz status "$inst"
assert_eq "host1: $inst at revision 1
  db               running    healthy    rev 1
  web              exited     -          rev 1  drift: container is exited
  worker           running    -          rev 1" "$OUT" "status after stop web"
# No revision, an audit line.
assert_eq 1 "$(cat "$idir/current")" "current revision after stop"
assert_eq "1.json" "$(ls "$idir/revisions")" "revisions after stop"
assert_eq '["stop",["web"],1,"succeeded"]' "$(last_audit)" "audit line of stop"

# start it again; the running ones are left alone.
db_started=$(started_at db)
assert_exit 0 cz start "$inst"
assert_eq "running running running" "$(states)" "after start"
assert_eq "$db_started" "$(started_at db)" "db untouched by start"
assert_contains "$ERR" "host1 db: already running"
assert_contains "$ERR" "host1 web: started"
assert_eq '["start",["db","web","worker"],1,"succeeded"]' "$(last_audit)" "audit line of start"

# restart one service: a new StartedAt for it, none for the others.
web_started=$(started_at web)
worker_started=$(started_at worker)
assert_exit 0 cz restart "$inst" web
[ "$(started_at web)" != "$web_started" ] || fail "restart web kept StartedAt $web_started"
assert_eq "$db_started" "$(started_at db)" "db untouched by restart web"
assert_eq "$worker_started" "$(started_at worker)" "worker untouched by restart web"

# restart all: stops in reverse start order, starts in start order.
assert_exit 0 cz restart "$inst"
assert_eq "host1 worker: stopped|host1 web: stopped|host1 db: stopped|host1 db: started|host1 web: started|host1 worker: started" \
  "$(grep -E ': (stopped|started)$' <<<"$ERR" | paste -sd'|')" "restart order"
[ "$(started_at db)" != "$db_started" ] || fail "restart kept the StartedAt of db"
[ "$(started_at worker)" != "$worker_started" ] || fail "restart kept the StartedAt of worker"
assert_eq "running running running" "$(states)" "after restart"

# --json: one document, per host and service.
assert_exit 0 cz --json stop "$inst" worker
assert_eq '[{"host":"host1","services":[{"service":"worker","change":"stopped"}],"error":null}]' \
  "$(jq -c .hosts <<<"$OUT")" "stop --json"
assert_eq '"stop"' "$(jq -c .command <<<"$OUT")" "stop --json command"

# stop all, then a deploy converges: everything runs again, no drift.
assert_exit 0 cz stop "$inst"
assert_eq "exited exited exited" "$(states)" "after stop all"
assert_contains "$ERR" "host1 worker: already stopped"
assert_exit 0 cz --json status "$inst"
assert_eq '["container is exited","container is exited","container is exited"]' \
  "$(jq -c '[.instances[0].services[].drift]' <<<"$OUT")" "status after stop all"
assert_exit 0 cz deploy "$T/app.yaml" "$inst"
assert_eq "running running running" "$(states)" "after deploy"
assert_exit 0 cz --json status "$inst"
assert_eq '2 [null,null,null]' "$(jq -c '.instances[0] | .revision, [.services[].drift]' <<<"$OUT" | paste -sd' ')" \
  "status after the converging deploy"

# A container that does not become ready: exit 1 with its last log lines;
# the services after it are not started. (Its restart policy, unless-stopped,
# keeps docker restarting it: that is seen as a failure at once.)
touch "$idir/volumes/web/data/broken"
assert_exit 0 cz stop "$inst"
assert_exit 1 cz start "$inst"
assert_contains "$ERR" "calzion: error: host1: service \"web\": failed to start ("
assert_contains "$ERR" "); its last log lines:"$'\n'"config is broken"
assert_eq "running exited" "$(state_of db) $(state_of worker)" "db and worker after a failed start of web"
assert_eq '["start",["db","web","worker"],2,"failed"]' "$(last_audit)" "audit line of a failed start"
rm "$idir/volumes/web/data/broken"
assert_exit 0 cz start "$inst" worker web
assert_eq "running running running" "$(states)" "after repairing"

# Unknown service: 64, naming it and listing the services; nothing touched.
assert_exit 64 cz stop "$inst" web nope
assert_eq "calzion: error: host1: unknown service \"nope\" in instance \"$inst\" (its services: db, web, worker)" \
  "$ERR" "unknown service"
assert_exit 64 cz restart "$inst" wrker
assert_eq "calzion: error: host1: unknown service \"wrker\" in instance \"$inst\", did you mean \"worker\"? (its services: db, web, worker)" \
  "$ERR" "unknown service close to a known one"
assert_eq "running running running" "$(states)" "after unknown services"

# An instance that is not deployed there.
assert_exit 64 cz start "$inst-none"
assert_eq "calzion: error: host1: instance \"$inst-none\" is not deployed on the host" "$ERR" "not deployed"
[ ! -e "$CZ_HOST1_STATE/instances/$inst-none" ] || fail "start of an unknown instance left a directory"
