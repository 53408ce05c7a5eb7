#!/usr/bin/env bash
# deploy --dry-run prints the exact remote commands, one per line prefixed
# with the host, and changes nothing on the host: running its `docker run`
# lines by hand gives containers deploy considers up to date. --prune removes
# the container of a service that left the template; without it the container
# is kept and deploy says so.
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
need_hosts 1
need_jq

instance_on_host1

cat >"$T/app.yaml" <<'EOF'
services:
  web:
    image: local/busybox:1
    cmd: sleep 3600
    env: {GREETING: "hello world"}
  client:
    image: local/busybox:1
    cmd: sleep 3601
    depends_on: [web]
EOF
assert_exit 0 calzion render --format json "$T/app.yaml" "$inst"
hash_web=$(jq -r '.services[] | select(.name == "web") | .spec_hash' <<<"$OUT")
hash_client=$(jq -r '.services[] | select(.name == "client") | .spec_hash' <<<"$OUT")

assert_exit 0 cz deploy --dry-run "$T/app.yaml" "$inst"
dry=$OUT
run_web="host1: docker run --detach --pull=missing --name ${inst}_web --network cz-$inst --network-alias web --restart unless-stopped --label io.calzion.instance=$inst --label io.calzion.revision=1 --label io.calzion.service=web --label io.calzion.spec-hash=$hash_web --label io.calzion.state=/var/lib/calzion --env CALZION_INSTANCE=$inst --env CALZION_SERVICE=web --env 'GREETING=hello world' local/busybox:1 sleep 3600"
run_client="host1: docker run --detach --pull=missing --name ${inst}_client --network cz-$inst --network-alias client --restart unless-stopped --label io.calzion.instance=$inst --label io.calzion.revision=1 --label io.calzion.service=client --label io.calzion.spec-hash=$hash_client --label io.calzion.state=/var/lib/calzion --env CALZION_INSTANCE=$inst --env CALZION_SERVICE=client local/busybox:1 sleep 3601"
grep -qxF -- "$run_web" <<<"$dry" || fail "dry run lacks the docker run line of web"$'\n'"  want: $run_web"$'\n'"  output: $dry"
grep -qxF -- "$run_client" <<<"$dry" || fail "dry run lacks the docker run line of client"$'\n'"  want: $run_client"$'\n'"  output: $dry"
# Dependency order: web is started (and waited for) before client.
web_line=$(grep -nxF -- "$run_web" <<<"$dry" | cut -d: -f1)
client_line=$(grep -nxF -- "$run_client" <<<"$dry" | cut -d: -f1)
[ "$web_line" -lt "$client_line" ] || fail "client is started before web in the dry run"
# The network, the readiness wait and the record are there too; the record's
# document goes over stdin, not on the command line.
assert_contains "$dry" "' calzion /var/lib/calzion/instances/$inst cz-$inst $inst"
assert_contains "$dry" "' calzion ${inst}_web 120 2 20"
grep -q "^' calzion /var/lib/calzion $inst 1 '{.*}' 1  # reads [0-9]* bytes from stdin\$" <<<"$dry" ||
  fail "dry run lacks the record command: $dry"
assert_contains "$ERR" "host1: would record revision 1"

# Nothing happened on the host.
assert_eq "" "$(host_docker 1 ps -aq --filter "label=io.calzion.instance=$inst")" "containers after a dry run"
assert_exit 1 host_docker 1 network inspect "cz-$inst"
[ ! -e "$idir" ] || fail "a dry run created $idir"

# The printed commands are the real ones: run the docker run lines on the host
# by hand and deploy finds the containers exactly as it would have made them.
host_docker 1 network create "cz-$inst" >/dev/null
assert_exit 0 host_ssh 1 "${run_web#host1: }"
assert_exit 0 host_ssh 1 "${run_client#host1: }"
assert_eq "hello world" "$(host_docker 1 exec "${inst}_web" sh -c 'printf %s "$GREETING"')" "env of the hand-made web"
assert_exit 0 cz plan --detailed-exitcode "$T/app.yaml" "$inst"
assert_contains "$OUT" "= web      unchanged: up to date"
assert_contains "$OUT" "= client   unchanged: up to date"
host_docker 1 rm -f "${inst}_web" "${inst}_client" >/dev/null
host_docker 1 network rm "cz-$inst" >/dev/null

# A dry run of a change to a deployed instance: prints the replacement, does
# none of it.
assert_exit 0 cz deploy "$T/app.yaml" "$inst"
ids=$(host_docker 1 ps -q --no-trunc --filter "label=io.calzion.instance=$inst" | sort)
sed -i 's/sleep 3601/sleep 3602/' "$T/app.yaml"
assert_exit 0 cz deploy --dry-run "$T/app.yaml" "$inst"
assert_contains "$OUT" "host1: docker rename ${inst}_client ${inst}_client_old"
assert_contains "$OUT" "--label io.calzion.revision=2 --label io.calzion.service=client"
# The hand-over script: client's alias to the new container, the old one drained, stopped, removed.
assert_contains "$OUT" " calzion cz-$inst client ${inst}_client ${inst}_client_old 2"
assert_not_contains "$OUT" "--name ${inst}_web "
assert_eq "$ids" "$(host_docker 1 ps -q --no-trunc --filter "label=io.calzion.instance=$inst" | sort)" "containers after a dry run"
assert_eq 1 "$(cat "$idir/current")" "current after a dry run"
assert_eq "1.json" "$(ls "$idir/revisions")" "revisions after a dry run"
assert_eq "sleep 3601" "$(host_docker 1 inspect -f '{{join .Config.Cmd " "}}' "${inst}_client")" "client's command"
sed -i 's/sleep 3602/sleep 3601/' "$T/app.yaml"
# Nothing to change: no commands at all.
assert_exit 0 cz deploy --dry-run "$T/app.yaml" "$inst"
assert_eq "" "$OUT" "dry run with nothing to do"
assert_contains "$ERR" "host1: up to date at revision 1"

# client leaves the template: without --prune its container stays, and deploy
# says so.
cat >"$T/app.yaml" <<'EOF'
services:
  web:
    image: local/busybox:1
    cmd: sleep 3600
    env: {GREETING: "hello world"}
EOF
assert_exit 0 cz deploy "$T/app.yaml" "$inst"
assert_contains "$ERR" "host1 client: kept: no longer in the template; deploy --prune removes it"
assert_contains "$ERR" "host1: up to date at revision 1"
assert_eq running "$(host_docker 1 inspect -f '{{.State.Status}}' "${inst}_client")" "kept client"
assert_eq "$ids" "$(host_docker 1 ps -q --no-trunc --filter "label=io.calzion.instance=$inst" | sort)" "containers without --prune"

assert_exit 0 cz deploy --dry-run --prune "$T/app.yaml" "$inst"
assert_contains "$OUT" "host1: docker rm --force ${inst}_client"
assert_eq running "$(host_docker 1 inspect -f '{{.State.Status}}' "${inst}_client")" "client after a dry run with --prune"

assert_exit 0 cz deploy --prune "$T/app.yaml" "$inst"
assert_contains "$ERR" "host1 client: removed container ${inst}_client"
assert_contains "$ERR" "host1: recorded revision 2"
assert_exit 1 host_docker 1 inspect "${inst}_client"
assert_eq running "$(host_docker 1 inspect -f '{{.State.Status}}' "${inst}_web")" "web after --prune"
assert_eq '["web"]' "$(jq -c '[.deployment.services[].name]' "$idir/revisions/2.json")" "services of revision 2"
assert_eq '["client: remove"]' "$(jq -c .changes "$idir/revisions/2.json")" "changes of revision 2"
assert_exit 0 cz plan --detailed-exitcode "$T/app.yaml" "$inst"
assert_eq "host1: $inst at revision 2, no changes
  = web      unchanged: up to date" "$OUT" "plan after --prune"
