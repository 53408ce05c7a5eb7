#!/usr/bin/env bash
# calzion(1) DEPLOY DETAILS, when docker fails during a deploy: exit 1; the failing new
# container is removed; services started before it keep running; the
# recorded revision ("deployment.services") is what actually runs; a failed
# replacement leaves the old container serving its page; a container that
# crash-loops fails fast with its last log lines; the next good deploy
# converges, and a container deleted by hand is recreated.
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
need_hosts 1
need_jq

instance_on_host1

# web serves a page naming its version; api depends on web and uses ${API_IMAGE}.
cat >"$T/app.yaml" <<'EOF'
vars: {VERSION: v1, API_IMAGE: "local/busybox:1", API_CMD: "sleep 3600"}
services:
  web:
    image: local/busybox:1
    cmd: ["sh", "-c", "mkdir -p /www && echo ${VERSION} > /www/index.html && exec httpd -f -p 80 -h /www"]
  api:
    image: ${API_IMAGE}
    cmd: ${API_CMD}
    depends_on: [web]
EOF
names() { host_docker 1 ps -a --filter "label=io.calzion.instance=$inst" --format '{{.Names}}' | sort | tr '\n' ' ' | sed 's/ $//'; }
# page: web's page, fetched over the instance's network.
page() { host_docker 1 run --rm --pull never --network "cz-$inst" "$CZ_IMAGE" timeout 5 wget -qO- http://web/; }
recorded() { jq -c --arg s "$2" '.deployment.services[] | select(.name == $s) | .spec_hash' "$idir/revisions/$1.json"; }
label_hash() { host_docker 1 inspect -f '"{{index .Config.Labels "io.calzion.spec-hash"}}"' "${inst}_$1"; }

# 1. The second service's image does not exist (and may not be pulled): web
#    is up, api is not, revision 1 records web only.
assert_exit 1 cz deploy "$T/app.yaml" "$inst" --pull never --set API_IMAGE=local/no-such-image:1
assert_contains "$ERR" "host1 web: ready"
assert_contains "$ERR" "calzion: error: host1: service \"api\": image \"local/no-such-image:1\" is not on the host, and pull policy \"never\" does not pull it: "
assert_contains "$ERR" "No such image: local/no-such-image:1"
assert_eq "${inst}_web" "$(names)" "containers after a failed docker run"
assert_eq v1 "$(page)" "web after api failed"
assert_eq 1 "$(cat "$idir/current")" "current after a failed deploy"
rev=$idir/revisions/1.json
assert_eq '"failed" ["web"]' "$(jq -c '.status, [.deployment.services[].name]' "$rev" | tr '\n' ' ' | sed 's/ $//')" "revision 1"
assert_eq '["web: create","api: create [not done]"]' "$(jq -c .changes "$rev")" "changes of revision 1"
assert_contains "$(jq -r .message "$rev")" "service \"api\": image \"local/no-such-image:1\" is not on the host"
assert_eq "$(label_hash web)" "$(recorded 1 web)" "recorded web is the running web"
assert_eq '"failed"' "$(tail -n 1 "$idir/audit.log" | jq -c .status)" "audit line of the failed deploy"
# status: what runs, nothing missing that was recorded.
assert_exit 0 cz --json status "$inst"
assert_eq '[["web","running",null]]' "$(jq -c '[.instances[0].services[] | [.service, .state, .drift]]' <<<"$OUT")" "status after a failed deploy"

# 2. The next good deploy adds only what is missing.
assert_exit 0 cz deploy "$T/app.yaml" "$inst"
assert_contains "$ERR" "host1 api: create: new service"
assert_not_contains "$ERR" "host1 web:"
assert_eq "${inst}_api ${inst}_web" "$(names)" "containers after the good deploy"
assert_eq '"succeeded" ["web","api"]' "$(jq -c '.status, [.deployment.services[].name]' "$idir/revisions/2.json" | tr '\n' ' ' | sed 's/ $//')" "revision 2"
web_id=$(host_docker 1 inspect -f '{{.Id}}' "${inst}_web")

# 3. A replacement that crash-loops: fails within seconds (not after
#    --wait-timeout), shows its last log lines, the old web keeps serving.
start=$SECONDS
assert_exit 1 cz deploy "$T/app.yaml" "$inst" --wait-timeout 60 \
  --set 'VERSION=v2 && echo v2 is broken >&2 && exit 3 && echo'
[ $((SECONDS - start)) -lt 30 ] || fail "a crash-looping container took $((SECONDS - start)) s to fail"
assert_contains "$ERR" "host1 web: replace (start-first): spec changed"
assert_contains "$ERR" "calzion: error: host1: service \"web\": failed to start"
assert_contains "$ERR" "its last log lines:"
assert_contains "$ERR" "v2 is broken"
assert_eq "$web_id" "$(host_docker 1 inspect -f '{{.Id}}' "${inst}_web")" "web after a failed replace"
assert_eq running "$(host_docker 1 inspect -f '{{.State.Status}}' "${inst}_web")" "old web state"
assert_eq v1 "$(page)" "page after a failed replace"
assert_eq "${inst}_api ${inst}_web" "$(names)" "containers after a failed replace"
assert_eq 3 "$(cat "$idir/current")" "current after a failed replace"
assert_eq '"failed"' "$(jq -c .status "$idir/revisions/3.json")" "status of revision 3"
assert_eq "$(label_hash web)" "$(recorded 3 web)" "revision 3 records the old web, which runs"
assert_eq "$(recorded 2 web)" "$(recorded 3 web)" "revision 3 keeps web as revision 2 had it"
assert_eq '["web: replace (command) [not done]"]' "$(jq -c .changes "$idir/revisions/3.json")" "changes of revision 3"
# api depends on web: it was not touched after web failed.
assert_eq '"succeeded"' "$(jq -c .status "$idir/revisions/2.json")" "revision 2 unchanged"
assert_exit 0 cz plan --detailed-exitcode "$T/app.yaml" "$inst"

# 4. The second service's replacement exits at once: the first stays as it
#    is, the old api keeps running.
assert_exit 1 cz deploy "$T/app.yaml" "$inst" --set 'API_CMD=sh -c "echo api gave up; exit 7"'
assert_contains "$ERR" "calzion: error: host1: service \"api\": failed to start"
assert_contains "$ERR" "api gave up"
assert_eq "${inst}_api ${inst}_web" "$(names)" "containers after api failed"
assert_eq "sleep 3600" "$(host_docker 1 inspect -f '{{join .Config.Cmd " "}}' "${inst}_api")" "api still runs its old command"
assert_eq "$(label_hash api)" "$(recorded 4 api)" "revision 4 records the api that runs"
assert_eq "$(label_hash web)" "$(recorded 4 web)" "revision 4 records the web that runs"

# 5. A container deleted by hand is recreated by the next deploy, the other
#    one left alone.
host_docker 1 rm -f "${inst}_web" >/dev/null
api_id=$(host_docker 1 inspect -f '{{.Id}}' "${inst}_api")
assert_exit 0 cz deploy "$T/app.yaml" "$inst"
assert_contains "$ERR" "host1 web: create: container missing"
assert_eq "${inst}_api ${inst}_web" "$(names)" "containers after recreating web"
assert_eq "$api_id" "$(host_docker 1 inspect -f '{{.Id}}' "${inst}_api")" "api untouched"
assert_eq v1 "$(page)" "page of the recreated web"
assert_exit 0 cz plan --detailed-exitcode "$T/app.yaml" "$inst"
