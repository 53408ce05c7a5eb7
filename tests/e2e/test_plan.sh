#!/usr/bin/env bash
# plan reads the host and says, per service, what deploy would do and why,
# naming the fields a replace changes; it changes nothing itself. Human output
# line by line, --json structure, --detailed-exitcode (2 with changes, 0
# without), drift made by hand, --force, services that left the template.
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
need_hosts 1
need_jq

instance_on_host1

# write_template WEB_CMD DB_MODE [EXTRA]: web and db, optionally a third service.
write_template() {
  cat >"$T/app.yaml" <<EOF
services:
  web:
    image: local/busybox:1
    cmd: $1
    depends_on: [db]
  db:
    image: local/busybox:1
    cmd: sleep 3600
    env: {MODE: $2}
${3:-}
EOF
}
write_template "sleep 3600" fast

# Nothing deployed yet: two creations, revision 0 -> 1.
assert_exit 0 cz plan "$T/app.yaml" "$inst"
assert_eq "host1: $inst at revision 0 -> 1
  + db       create: new service
  + web      create: new service" "$OUT" "plan before the first deploy"
assert_exit 2 cz plan --detailed-exitcode "$T/app.yaml" "$inst"
# With -q the exit code alone says it.
assert_exit 2 cz plan -q --detailed-exitcode "$T/app.yaml" "$inst"
assert_eq "" "$OUT" "plan -q --detailed-exitcode stdout"

assert_exit 0 cz --json plan "$T/app.yaml" "$inst"
assert_eq "$inst" "$(jq -r .instance <<<"$OUT")" "json: instance"
assert_eq true "$(jq .changes <<<"$OUT")" "json: changes"
assert_eq 1 "$(jq '.hosts | length' <<<"$OUT")" "json: one host"
assert_eq '{"host":"host1","revision_before":0,"revision_after":1,"changes":true,"error":null}' \
  "$(jq -c '.hosts[0] | del(.actions)' <<<"$OUT")" "json: host entry"
assert_eq '[{"service":"db","action":"create","reason":"new service","changed_fields":[],"init":[]},{"service":"web","action":"create","reason":"new service","changed_fields":[],"init":[]}]' \
  "$(jq -c '.hosts[0].actions' <<<"$OUT")" "json: actions"

# plan touched nothing.
assert_eq "" "$(host_docker 1 ps -aq --filter "label=io.calzion.instance=$inst")" "containers after plan"
[ ! -e "$idir" ] || fail "plan created $idir"
assert_exit 1 host_docker 1 network inspect "cz-$inst"

assert_exit 0 cz deploy "$T/app.yaml" "$inst"

# Deployed: nothing to do, exit 0 even with --detailed-exitcode.
assert_exit 0 cz plan --detailed-exitcode "$T/app.yaml" "$inst"
assert_eq "host1: $inst at revision 1, no changes
  = db       unchanged: up to date
  = web      unchanged: up to date" "$OUT" "plan after deploy"
assert_exit 0 cz --json plan --detailed-exitcode "$T/app.yaml" "$inst"
assert_eq 'false 1 1 ["unchanged","unchanged"]' \
  "$(jq -c '.changes, .hosts[0].revision_before, .hosts[0].revision_after, [.hosts[0].actions[].action]' <<<"$OUT" | tr '\n' ' ' | sed 's/ $//')" \
  "json after deploy"

# A changed command and a changed env: replace, naming the field.
write_template "sleep 3601" slow
assert_exit 2 cz plan --detailed-exitcode "$T/app.yaml" "$inst"
assert_eq "host1: $inst at revision 1 -> 2
  ~ db       replace: spec changed (env)
  ~ web      replace: spec changed (command)" "$OUT" "plan with changes"
assert_exit 2 cz --json plan --detailed-exitcode "$T/app.yaml" "$inst"
assert_eq '["env"] ["command"]' \
  "$(jq -c '.hosts[0].actions[] | .changed_fields' <<<"$OUT" | tr '\n' ' ' | sed 's/ $//')" "json: changed fields"
assert_eq '"replace" "spec changed"' \
  "$(jq -c '.hosts[0].actions[0] | .action, .reason' <<<"$OUT" | tr '\n' ' ' | sed 's/ $//')" "json: replace"
# Still only planned.
assert_eq 1 "$(cat "$idir/current")" "current after planning a change"
assert_eq "sleep 3600" "$(host_docker 1 inspect -f '{{join .Config.Cmd " "}}' "${inst}_web")" "web's command after plan"

# --force: every service replaced.
write_template "sleep 3600" fast
assert_exit 2 cz plan --detailed-exitcode --force "$T/app.yaml" "$inst"
assert_eq "host1: $inst at revision 1 -> 2
  ~ db       replace: forced
  ~ web      replace: forced" "$OUT" "plan --force"

# Drift made by hand: a deleted container is created again, a stopped one
# replaced.
host_docker 1 rm -f "${inst}_web" >/dev/null
host_docker 1 stop -t 0 "${inst}_db" >/dev/null
assert_exit 2 cz plan --detailed-exitcode "$T/app.yaml" "$inst"
assert_eq "host1: $inst at revision 1 -> 2
  ~ db       replace: container is exited
  + web      create: container missing" "$OUT" "plan after drift"

assert_exit 0 cz deploy "$T/app.yaml" "$inst"
assert_exit 0 cz plan --detailed-exitcode "$T/app.yaml" "$inst"
assert_contains "$OUT" "host1: $inst at revision 2, no changes"

# A service added, then one that left the template: kept unless --prune.
write_template "sleep 3600" fast "  cache: {image: local/busybox:1, cmd: sleep 3600}"
assert_exit 2 cz plan --detailed-exitcode "$T/app.yaml" "$inst"
assert_contains "$OUT" "  + cache    create: new service"
assert_exit 0 cz deploy "$T/app.yaml" "$inst"
write_template "sleep 3600" fast
assert_exit 0 cz plan --detailed-exitcode "$T/app.yaml" "$inst"
assert_eq "host1: $inst at revision 3, no changes
  = db       unchanged: up to date
  = web      unchanged: up to date
  ! cache    keep: no longer in the template; deploy --prune removes it" "$OUT" "plan with a departed service"
assert_exit 2 cz plan --detailed-exitcode --prune "$T/app.yaml" "$inst"
assert_eq "host1: $inst at revision 3 -> 4
  = db       unchanged: up to date
  = web      unchanged: up to date
  - cache    remove: no longer in the template" "$OUT" "plan --prune"
assert_exit 2 cz --json plan --detailed-exitcode --prune "$T/app.yaml" "$inst"
assert_eq '{"service":"cache","action":"remove","reason":"no longer in the template","changed_fields":[],"init":[]}' \
  "$(jq -c '.hosts[0].actions[2]' <<<"$OUT")" "json: remove"
