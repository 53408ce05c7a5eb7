#!/usr/bin/env bash
# calzion(1) DEPLOY DETAILS: deploying the same template twice changes nothing the second time
# (no container recreated or restarted, no revision added, nothing appended to
# the audit log), also when the template uses ${revision}; --force replaces
# every service and records a new revision; a real change replaces only the
# service it concerns.
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
need_hosts 1
need_jq

instance_on_host1

cat >"$T/app.yaml" <<'EOF'
vars: {COLOR: blue}
services:
  web:
    image: local/busybox:1
    cmd: sleep 3600
    env: {COLOR: "${COLOR}"}
  worker:
    image: local/busybox:1
    cmd: sleep 3600
  stamp:
    image: local/busybox:1
    cmd: sleep 3600
    env: {DEPLOYED_AT: "revision ${revision}"}
EOF

# ID and start time of each container, one line per service.
fingerprint() {
  local svc
  for svc in web worker stamp; do
    echo "$svc $(host_docker 1 inspect -f '{{.Id}} {{.State.StartedAt}} {{.RestartCount}}' "${inst}_$svc")"
  done
}

assert_exit 0 cz deploy "$T/app.yaml" "$inst"
assert_contains "$ERR" "host1: recorded revision 1"
before=$(fingerprint)
audit_before=$(cat "$idir/audit.log")

# Second deploy: nothing to do.
assert_exit 0 cz deploy "$T/app.yaml" "$inst"
assert_contains "$ERR" "host1: up to date at revision 1"
assert_not_contains "$ERR" "create"
assert_not_contains "$ERR" "replace"
assert_eq "$before" "$(fingerprint)" "containers after the second deploy"
assert_eq 1 "$(cat "$idir/current")" "current after the second deploy"
assert_eq "1.json" "$(ls "$idir/revisions")" "revisions after the second deploy"
assert_eq "$audit_before" "$(cat "$idir/audit.log")" "audit.log after the second deploy"
assert_eq "revision 1" "$(host_docker 1 exec "${inst}_stamp" sh -c 'printf %s "$DEPLOYED_AT"')" "\${revision} in worker"

# The same in JSON: no changes, revision stays.
assert_exit 0 cz --json deploy "$T/app.yaml" "$inst"
assert_eq 'false 1 1 ["unchanged","unchanged","unchanged"]' \
  "$(jq -c '.changes, .hosts[0].revision_before, .hosts[0].revision_after, [.hosts[0].actions[].action]' <<<"$OUT" | tr '\n' ' ' | sed 's/ $//')" \
  "deploy --json with nothing to do"
assert_eq "$before" "$(fingerprint)" "containers after the third deploy"

# --force: every container is new, revision 2 is recorded as forced.
assert_exit 0 cz deploy --force "$T/app.yaml" "$inst"
assert_contains "$ERR" "host1 web: replace (start-first): forced"
assert_contains "$ERR" "host1 worker: replace (start-first): forced"
# (stamp changes anyway: its ${revision} is now 2)
assert_contains "$ERR" "host1 stamp: replace (start-first): spec changed"
assert_contains "$ERR" "host1: recorded revision 2"
forced=$(fingerprint)
for svc in web worker stamp; do
  old_id=$(grep "^$svc " <<<"$before" | cut -d' ' -f2)
  new_id=$(grep "^$svc " <<<"$forced" | cut -d' ' -f2)
  [ "$old_id" != "$new_id" ] || fail "--force kept the container of $svc ($old_id)"
  assert_exit 1 host_docker 1 inspect "$old_id"
  assert_eq 2 "$(host_docker 1 inspect -f '{{index .Config.Labels "io.calzion.revision"}}' "${inst}_$svc")" "revision label of $svc"
done
assert_eq 2 "$(cat "$idir/current")" "current after --force"
assert_eq "1.json 2.json" "$(ls "$idir/revisions" | sort | tr '\n' ' ' | sed 's/ $//')" "revisions after --force"
assert_eq '["web: replace","worker: replace","stamp: replace (env)"]' "$(jq -c .changes "$idir/revisions/2.json")" "changes of revision 2"
assert_eq 2 "$(wc -l <"$idir/audit.log")" "audit.log lines after --force"
assert_eq "revision 2" "$(host_docker 1 exec "${inst}_stamp" sh -c 'printf %s "$DEPLOYED_AT"')" "\${revision} after --force"
# No parked old containers are left behind.
assert_eq "${inst}_stamp ${inst}_web ${inst}_worker" \
  "$(host_docker 1 ps -a --filter "label=io.calzion.instance=$inst" --format '{{.Names}}' | sort | tr '\n' ' ' | sed 's/ $//')" \
  "containers after --force"

# And again nothing to do, although ${revision} now renders differently.
assert_exit 0 cz deploy "$T/app.yaml" "$inst"
assert_contains "$ERR" "host1: up to date at revision 2"
assert_eq "$forced" "$(fingerprint)" "containers after deploying again"

# A real change replaces only the service it concerns, and those that use
# ${revision}, which takes the next number.
assert_exit 0 cz deploy "$T/app.yaml" "$inst" --set COLOR=green
assert_contains "$ERR" "host1 web: replace (start-first): spec changed"
assert_contains "$ERR" "host1 stamp: replace (start-first): spec changed"
assert_not_contains "$ERR" "worker: replace"
assert_contains "$ERR" "host1: recorded revision 3"
changed=$(fingerprint)
assert_eq "$(grep '^worker ' <<<"$forced")" "$(grep '^worker ' <<<"$changed")" "worker untouched by a change to web"
[ "$(grep '^web ' <<<"$forced")" != "$(grep '^web ' <<<"$changed")" ] || fail "web was not replaced"
assert_eq green "$(host_docker 1 exec "${inst}_web" sh -c 'printf %s "$COLOR"')" "COLOR after the change"
assert_eq '["web: replace (env)","stamp: replace (env)"]' "$(jq -c .changes "$idir/revisions/3.json")" "changes of revision 3"
assert_eq "revision 3" "$(host_docker 1 exec "${inst}_stamp" sh -c 'printf %s "$DEPLOYED_AT"')" "\${revision} after the change"
