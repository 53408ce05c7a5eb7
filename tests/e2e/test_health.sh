#!/usr/bin/env bash
# calzion-template(5) healthcheck and calzion(1) DEPLOY DETAILS, health-gated updates:
#   - the template's healthcheck keys become the container's docker health
#     check (cmd as a string or a list, interval, timeout, retries,
#     start_period, with their units);
#   - a dependent starts only once its dependency is healthy;
#   - start-first: the old container keeps running and answering until its
#     replacement is healthy, only then is it removed;
#   - stop-first, for a service that publishes a host port and for one that
#     says `update: stop-first`: never two containers of the service running
#     at once, the old one stopped before the new one starts; a stop-first
#     replacement that fails brings the old container back;
#   - --wait-timeout bounds the wait for a replacement that never gets ready;
#   - a failing health check: exit 1, the message shows the failing
#     container's last log lines, the old container (the same one) keeps
#     serving, the new one is gone, the revision and the audit log record
#     the failure and what actually runs.
# (test_docker_failures.sh covers failures of docker run and crash loops.)
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
need_hosts 1
need_jq

instance_on_host1
sf=$E2E_NAME-sf
sfdir=$CZ_HOST1_STATE/instances/$sf
on_exit cz destroy --volumes --missing-ok "$sf" --lock-timeout 30s
# Background helpers (pollers, a deploy) are stopped on exit, by pid.
bgpids=()
stop_bg() { local p; for p in "${bgpids[@]}"; do kill "$p" 2>/dev/null || true; done; }
on_exit stop_bg

# db serves its page only DB_DELAY seconds after it starts; web checks at
# start whether db answers (and logs what it got), serves its page at once
# and is healthy once WEB_CHECK passes, which by default takes WEB_DELAY
# seconds (failures in the first 6 s do not count: start_period).
cat >"$T/app.yaml" <<'EOF'
vars:
  VERSION: v1
  DB_DELAY: "3"
  WEB_DELAY: "0"
  WEB_CHECK: test -f /tmp/ready && wget -qO- http://127.0.0.1/ >/dev/null
services:
  db:
    image: local/busybox:1
    cmd: ["sh", "-c", "trap 'exit 0' TERM; mkdir -p /www; echo db ready > /www/index.html; sleep ${DB_DELAY}; httpd -p 80 -h /www; while :; do sleep 1; done"]
    healthcheck:
      cmd: [sh, -c, "wget -qO- http://127.0.0.1/ >/dev/null"]
      interval: 1s
      timeout: 2s
      retries: 3
      start_period: 30s
  web:
    image: local/busybox:1
    cmd:
      - sh
      - -c
      - >-
        trap 'exit 0' TERM;
        echo "web ${VERSION} starting: db said: $$(timeout 5 wget -qO- http://db/ || echo nothing)";
        mkdir -p /www; echo web ${VERSION} > /www/index.html; httpd -p 80 -h /www;
        sleep ${WEB_DELAY}; touch /tmp/ready; while :; do sleep 1; done
    depends_on: [db]
    healthcheck:
      cmd: ${WEB_CHECK}
      interval: 500ms
      timeout: 1m30s
      retries: 3
      start_period: 6s
EOF

names() { host_docker 1 ps -a --filter "label=io.calzion.instance=$1" --format '{{.Names}}' | sort | tr '\n' ' ' | sed 's/ $//'; }
cid() { host_docker 1 inspect -f '{{.Id}}' "$1"; }
state() { host_docker 1 inspect -f '{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}' "$1"; }
# page URL: fetched from a one-off container on the instance's network.
page() { host_docker 1 run --rm --pull never --network "cz-$inst" "$CZ_IMAGE" timeout 5 wget -qO- "$1"; }
label_hash() { host_docker 1 inspect -f '{{index .Config.Labels "io.calzion.spec-hash"}}' "$1"; }
recorded_hash() { jq -r --arg s "$3" '.deployment.services[] | select(.name == $s) | .spec_hash' "$1/revisions/$2.json"; }

# watch_containers INSTANCE FILE [URL]: in the background, snapshots of the
# instance's containers ("ID STATE SERVICE STATUS" lines, then "--") in FILE,
# until stop_watching. With URL, each snapshot starts with "page: " and what
# URL gave, fetched in host1's network namespace (where container addresses
# are reachable) before the containers are listed, or "page: down".
watch_containers() {
  (while :; do
    if [ -n "${3:-}" ]; then
      echo "page: $(nsenter --net="$CZ_HOST1_NETNS" timeout 5 busybox wget -qO- "$3" 2>/dev/null || echo down)"
    fi
    host_docker 1 ps -a --no-trunc --filter "label=io.calzion.instance=$1" \
      --format '{{.ID}} {{.State}} {{.Label "io.calzion.service"}} {{.Status}}' 2>/dev/null || true
    echo --
    sleep 0.1
  done) >"$2" &
  watcher=$!
  bgpids+=("$watcher")
  # The first snapshot is in before anything else happens.
  wait_for 10 grep -q -- -- "$2"
}
stop_watching() { kill "$watcher"; wait "$watcher" 2>/dev/null || true; }
# line_before FILE A B: the first line containing A comes before the first containing B.
line_before() {
  local a b
  a=$(grep -nF -- "$2" "$1" | head -n 1 | cut -d: -f1)
  b=$(grep -nF -- "$3" "$1" | head -n 1 | cut -d: -f1)
  [ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]
}

# --- 1. First deploy: the health checks as docker has them; web started
# only once db was healthy (db serves only after 3 s: had web started
# before, it would have logged "db said: nothing").
assert_exit 0 cz deploy "$T/app.yaml" "$inst"
line_before "$T/err" "host1 db: ready" "host1 web: create" ||
  fail "web was created before db was ready:"$'\n'"$ERR"
assert_eq "web v1 starting: db said: db ready" "$(host_docker 1 logs "${inst}_web" 2>&1 | head -n 1)" \
  "what web saw of db when it started"
assert_eq "{\"Test\":[\"CMD-SHELL\",\"sh -c 'wget -qO- http://127.0.0.1/ >/dev/null'\"],\"Interval\":1000000000,\"Timeout\":2000000000,\"StartPeriod\":30000000000,\"Retries\":3}" \
  "$(host_docker 1 inspect -f '{{json .Config.Healthcheck}}' "${inst}_db" | jq -c '{Test, Interval, Timeout, StartPeriod, Retries}')" \
  "db's docker health check"
assert_eq '{"Test":["CMD-SHELL","test -f /tmp/ready && wget -qO- http://127.0.0.1/ >/dev/null"],"Interval":500000000,"Timeout":90000000000,"StartPeriod":6000000000,"Retries":3}' \
  "$(host_docker 1 inspect -f '{{json .Config.Healthcheck}}' "${inst}_web" | jq -c '{Test, Interval, Timeout, StartPeriod, Retries}')" \
  "web's docker health check"
assert_eq "running healthy" "$(state "${inst}_db")" "db after the deploy"
assert_eq "running healthy" "$(state "${inst}_web")" "web after the deploy"
assert_eq "web v1" "$(page http://web/)" "web's page"

# --- 2. Start-first: web v2 takes 3 s to become healthy. In every snapshot
# taken during the deploy, either the new web is healthy or the old one runs
# and answers (its page is fetched by address first, then the containers
# are listed: a failed fetch must be followed by a healthy new web). It is
# removed only after that.
old=$(cid "${inst}_web")
old_ip=$(host_docker 1 inspect -f "{{(index .NetworkSettings.Networks \"cz-$inst\").IPAddress}}" "${inst}_web")
watch_containers "$inst" "$T/snap2" "http://$old_ip/"
assert_exit 0 cz deploy "$T/app.yaml" "$inst" --set VERSION=v2 --set WEB_DELAY=3
stop_watching
assert_contains "$ERR" "host1 web: replace (start-first): spec changed"
new=$(cid "${inst}_web")
[ "$new" != "$old" ] || fail "web was not replaced"
awk -v old="$old" -v new="$new" '
  $1 == "page:" { answered = ($0 == "page: web v1") }
  $1 == old && $2 == "running" { old_up = 1 }
  $1 == new && /\(healthy\)/ { new_ok = 1 }
  $1 == new && /health: starting/ { new_starting = 1 }
  $0 == "--" {
    n++
    if (!new_ok && !(old_up && answered)) {
      print "snapshot " n ": the new web not healthy, the old one " (old_up ? "running" : "not running") ", " (answered ? "answering" : "not answering")
      bad = 1
    }
    if (old_up && answered && new_starting) overlap = 1
    old_up = new_ok = new_starting = answered = 0
  }
  END {
    if (!overlap) { print "never saw the old web answer beside the starting new one"; bad = 1 }
    exit bad
  }' "$T/snap2" >"$T/why" || fail "start-first: $(head -n 5 "$T/why")"$'\n'"snapshots:"$'\n'"$(grep -v -- '^--$' "$T/snap2" | uniq -c | head -n 60)"
assert_eq "running healthy" "$(state "${inst}_web")" "the new web"
assert_eq "web v2" "$(page http://web/)" "web's page after the replacement"
assert_eq "${inst}_db ${inst}_web" "$(names "$inst")" "containers after the replacement"

# --- 3. --wait-timeout: a web that never gets ready (failures inside its
# start period do not count: it stays "starting") is given up after 3 s,
# before its start period of 6 s is over; the old web stays.
assert_exit 1 cz deploy "$T/app.yaml" "$inst" --set VERSION=v3 --set WEB_DELAY=3600 --wait-timeout 3
assert_contains "$ERR" "calzion: error: host1: service \"web\": not ready after 3s; its last log lines:"
assert_contains "$ERR" "web v3 starting"
assert_eq "$new" "$(cid "${inst}_web")" "web after a timed-out replacement"
assert_eq "${inst}_db ${inst}_web" "$(names "$inst")" "containers after a timed-out replacement"

# --- 4. A health check that fails: the new web runs but turns unhealthy.
rev=$(($(cat "$idir/current") + 1))
assert_exit 1 cz deploy "$T/app.yaml" "$inst" --set VERSION=v4 --set 'WEB_CHECK=echo web v4 is sick; exit 1'
assert_contains "$ERR" "host1 web: replace (start-first): spec changed"
assert_contains "$ERR" "calzion: error: host1: service \"web\": failed to start (running, unhealthy); its last log lines:"
assert_contains "$ERR" "web v4 starting: db said: db ready"
assert_eq "$new" "$(cid "${inst}_web")" "web after a failed health check: the same container"
assert_eq "running healthy" "$(state "${inst}_web")" "the old web"
assert_eq "web v2" "$(page http://web/)" "web's page after a failed health check"
assert_eq "${inst}_db ${inst}_web" "$(names "$inst")" "containers after a failed health check"
# The revision records what runs: web as it was.
assert_eq "$rev" "$(cat "$idir/current")" "current revision"
r=$idir/revisions/$rev.json
assert_eq '"failed"' "$(jq -c .status "$r")" "status of the failed revision"
assert_eq "$(label_hash "${inst}_db") $(label_hash "${inst}_web")" \
  "$(recorded_hash "$idir" "$rev" db) $(recorded_hash "$idir" "$rev" web)" "the failed revision records what runs"
assert_eq "$(recorded_hash "$idir" $((rev - 2)) web)" "$(recorded_hash "$idir" "$rev" web)" \
  "web recorded as the revision that started it had it"
assert_contains "$(jq -r .message "$r")" "service \"web\": failed to start (running, unhealthy)"
assert_eq '["web: replace (command, healthcheck) [not done]"]' "$(jq -c .changes "$r")" \
  "changes of the failed revision"
audit=$(tail -n 1 "$idir/audit.log")
assert_eq "$rev \"failed\"" "$(jq -r '"\(.revision) \"\(.status)\""' <<<"$audit")" "audit line of the failed deploy"
assert_eq '["web: replace (command, healthcheck) [not done]"]' "$(jq -c .changes <<<"$audit")" \
  "changes in the audit line"
assert_contains "$(jq -r .message <<<"$audit")" "service \"web\": failed to start (running, unhealthy)"
assert_exit 0 cz --json history "$inst"
assert_eq "failed" "$(jq -r --argjson n "$rev" '.hosts[0].revisions[] | select(.revision == $n) | .status' <<<"$OUT")" \
  "history of the failed revision"
assert_exit 0 cz --json status "$inst"
assert_eq '[["db","running","healthy",null],["web","running","healthy",null]]' \
  "$(jq -c '[.instances[0].services[] | [.service, .state, .health, .drift]] | sort' <<<"$OUT")" "status after the failure"

# --- 5. Stop-first, for pub (publishes a host port) and for solo (says
# update: stop-first, no health check): the old container is stopped before
# the new one starts, never two running at once.
cat >"$T/sf.yaml" <<'EOF'
vars: {VERSION: v1, SOLO_CMD: "while :; do sleep 1; done"}
services:
  pub:
    image: local/busybox:1
    cmd: ["sh", "-c", "trap 'exit 0' TERM; mkdir -p /www; echo pub ${VERSION} > /www/index.html; sleep 2; httpd -p 80 -h /www; while :; do sleep 1; done"]
    ports: ["28431:80"]
    healthcheck: {cmd: wget -qO- http://127.0.0.1/, interval: 500ms, retries: 3, start_period: 20s}
  solo:
    image: local/busybox:1
    cmd: ["sh", "-c", "trap 'exit 0' TERM; echo solo ${VERSION}; ${SOLO_CMD}"]
    update: stop-first
EOF
pubpage() { timeout 5 busybox wget -qO- "http://$CZ_HOST1_ADDR:28431/"; }
assert_exit 0 cz deploy "$T/sf.yaml" "$sf"
assert_eq "pub v1" "$(pubpage)" "pub's published page"
old_pub=$(cid "${sf}_pub")
old_solo=$(cid "${sf}_solo")
watch_containers "$sf" "$T/snap5"
assert_exit 0 cz deploy "$T/sf.yaml" "$sf" --set VERSION=v2
stop_watching
assert_contains "$ERR" "host1 pub: replace (stop-first): spec changed"
assert_contains "$ERR" "host1 solo: replace (stop-first): spec changed"
assert_eq "pub v2" "$(pubpage)" "pub's published page after the replacement"
assert_eq "${sf}_pub ${sf}_solo" "$(names "$sf")" "containers after the replacement"
awk -v op="$old_pub" -v os="$old_solo" '
  $2 == "running" { running[$3]++ }
  ($1 == op || $1 == os) && $2 == "exited" { stopped[$3] = 1 }
  $0 == "--" {
    n++
    for (s in running) if (running[s] > 1) { print "snapshot " n ": " running[s] " containers of " s " running"; bad = 1 }
    delete running
  }
  END {
    if (!stopped["pub"]) { print "never saw the old pub stopped while it was replaced"; bad = 1 }
    if (!stopped["solo"]) { print "never saw the old solo stopped while it was replaced"; bad = 1 }
    exit bad
  }' "$T/snap5" >"$T/why" || fail "stop-first: $(head -n 5 "$T/why")"$'\n'"snapshots:"$'\n'"$(grep -v -- '^--$' "$T/snap5" | uniq -c | head -n 40)"

# A stop-first replacement that fails (solo exits at once) brings the old
# solo back: the same container, running again.
old_solo=$(cid "${sf}_solo")
assert_exit 1 cz deploy "$T/sf.yaml" "$sf" --set VERSION=v2 --set 'SOLO_CMD=echo solo gives up; exit 4'
assert_contains "$ERR" "host1 solo: replace (stop-first): spec changed"
assert_contains "$ERR" "calzion: error: host1: service \"solo\": failed to start"
assert_contains "$ERR" "solo gives up"
assert_eq "$old_solo" "$(cid "${sf}_solo")" "solo after a failed stop-first replacement"
assert_eq "running " "$(state "${sf}_solo")" "the old solo"
assert_eq "${sf}_pub ${sf}_solo" "$(names "$sf")" "containers after the failed replacement"
n=$(cat "$sfdir/current")
assert_eq "$(label_hash "${sf}_solo")" "$(recorded_hash "$sfdir" "$n" solo)" "the failed revision records the solo that runs"
assert_exit 0 cz plan --detailed-exitcode "$T/sf.yaml" "$sf" --set VERSION=v2
