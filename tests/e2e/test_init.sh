#!/usr/bin/env bash
# `init` commands (calzion-template(5), calzion(1)): they run once per instance, inside the
# service's container, after it first becomes ready and before the services
# that depend on it start; a marker in the instance's state directory records
# that they ran, so that no redeploy, replacement, rollback or plain destroy
# runs them again. A failing init fails the deploy with its output and leaves
# no marker, so that the next deploy tries again. plan and deploy --dry-run
# show the init that would run.
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
need_hosts 1
need_jq

instance_on_host1

# db's init counts its runs in its own volume and writes a "database" to a
# volume it shares with app; app copies what it finds there when it starts.
cat >"$T/app.yaml" <<'EOF2'
services:
  db:
    image: local/busybox:1
    cmd: sleep 3600
    env: {FLAVOUR: "${FLAVOUR:-plain}"}
    volumes: [/data, "shared:/shared"]
    init:
      - sh -c 'sleep 1; echo run >> /data/init-runs; echo "tables of $$CALZION_INSTANCE" > /shared/db.txt'
      - [sh, -c, "echo second >> /data/init-runs"]
  app:
    image: local/busybox:1
    cmd: [sh, -c, "cat /shared/db.txt > /shared/seen-by-app 2>&1; exec sleep 3600"]
    volumes: ["shared:/shared"]
    depends_on: [db]
EOF2
runs=$idir/volumes/db/data/init-runs
marker=$idir/init/db

# plan and dry-run show the init that deploy would run, and change nothing.
assert_exit 2 cz plan --detailed-exitcode "$T/app.yaml" "$inst"
assert_contains "$OUT" "then init: sh -c 'sleep 1; echo run >> /data/init-runs; echo \"tables of \$CALZION_INSTANCE\" > /shared/db.txt'"
assert_contains "$OUT" "then init: sh -c 'echo second >> /data/init-runs'"
assert_exit 0 cz --json plan "$T/app.yaml" "$inst"
assert_eq '[["sh","-c","echo second >> /data/init-runs"]] []' \
  "$(jq -c '.hosts[0].actions[] | .init | .[1:]' <<<"$OUT" | tr '\n' ' ' | sed 's/ $//')" "plan --json init"
assert_exit 0 cz deploy --dry-run "$T/app.yaml" "$inst"
assert_contains "$OUT" " calzion 20 docker exec ${inst}_db sh -c 'exec \"\$@\" 2>&1' calzion-init sh -c 'echo second >> /data/init-runs'"
assert_contains "$OUT" "' calzion /var/lib/calzion/instances/$inst db  # reads"
[ ! -e "$idir" ] || fail "a dry run created $idir"

# First deploy: init runs once, in order, and app starts after it.
assert_exit 0 cz deploy "$T/app.yaml" "$inst"
assert_contains "$ERR" "host1 db: init: sh -c"
assert_eq "run"$'\n'"second" "$(cat "$runs")" "init runs after the first deploy"
assert_exit 0 host_docker 1 exec "${inst}_app" cat /shared/seen-by-app
assert_eq "tables of $inst" "$OUT" "what app found when it started"
[ -f "$marker" ] || fail "no init marker at $marker"
assert_eq '2 1 "db"' "$(jq -c '(.commands | length), .revision, .service' "$marker" | tr '\n' ' ' | sed 's/ $//')" "init marker"
assert_eq '["db: create, then init","app: create"]' "$(jq -c .changes "$idir/revisions/1.json")" "recorded changes"
assert_eq '["db: create, then init","app: create"]' "$(jq -c .changes "$idir/audit.log")" "audit changes"

# Nothing left to do: no init in plan or dry-run, nothing runs.
assert_exit 0 cz plan --detailed-exitcode "$T/app.yaml" "$inst"
assert_not_contains "$OUT" "then init"
assert_exit 0 cz deploy "$T/app.yaml" "$inst"
assert_contains "$ERR" "host1: up to date at revision 1"

# A changed env replaces db: its init does not run again.
db_before=$(host_docker 1 inspect -f '{{.Id}}' "${inst}_db")
assert_exit 0 cz deploy --set FLAVOUR=spicy "$T/app.yaml" "$inst"
assert_contains "$ERR" "host1 db: replace"
assert_not_contains "$ERR" "db: init"
[ "$db_before" != "$(host_docker 1 inspect -f '{{.Id}}' "${inst}_db")" ] || fail "db was not replaced"
assert_eq "run"$'\n'"second" "$(cat "$runs")" "init runs after a replacement"

# Neither does a rollback (another replacement) nor a forced redeploy.
assert_exit 0 cz rollback "$inst"
assert_contains "$ERR" "host1 db: replace"
assert_exit 0 cz deploy --force "$T/app.yaml" "$inst"
assert_not_contains "$ERR" "db: init"
assert_eq "run"$'\n'"second" "$(cat "$runs")" "init runs after rollback and --force"

# destroy keeps the data, and the marker with it: deploying again finds the
# database there and does not run init on it again.
assert_exit 0 cz destroy "$inst"
[ -f "$marker" ] || fail "destroy removed the init marker"
assert_exit 0 cz plan "$T/app.yaml" "$inst"
assert_not_contains "$OUT" "then init"
assert_exit 0 cz deploy "$T/app.yaml" "$inst"
assert_eq "run"$'\n'"second" "$(cat "$runs")" "init runs after destroy and deploy"
# destroy --volumes removes both: the next deploy starts from nothing.
assert_exit 0 cz destroy --volumes "$inst"
[ ! -e "$marker" ] || fail "destroy --volumes left the init marker"
assert_exit 0 cz deploy "$T/app.yaml" "$inst"
assert_eq "run"$'\n'"second" "$(cat "$runs")" "init runs after destroy --volumes and deploy"
[ -f "$marker" ] || fail "no init marker after deploying again"

# A failing init fails the deploy with its output: exit 1, its container gone,
# no marker, nothing started after it, the failure recorded.
broken=$inst-broken
on_exit cz destroy --volumes --missing-ok "$broken" --lock-timeout 30s
cat >"$T/broken.yaml" <<'EOF2'
services:
  db:
    image: local/busybox:1
    cmd: sleep 3600
    volumes: [/data]
    init:
      - sh -c 'echo attempt >> /data/attempts'
      - [sh, -c, 'echo "creating the database"; echo "boom: no space left" >&2; exit 3']
  app:
    image: local/busybox:1
    cmd: sleep 3600
    depends_on: [db]
EOF2
bdir=$CZ_HOST1_STATE/instances/$broken
assert_exit 1 cz deploy "$T/broken.yaml" "$broken"
assert_contains "$ERR" "service \"db\": init command \"sh -c 'echo \\\"creating the database\\\"; echo \\\"boom: no space left\\\" >&2; exit 3'\" failed (exit 3); its last output lines:"
# Both streams (docker keeps the order within each, not always across them).
assert_contains "$ERR" $'\ncreating the database\n'
assert_contains "$ERR" $'\nboom: no space left\n'
[ ! -e "$bdir/init/db" ] || fail "a failed init left a marker"
assert_eq "" "$(host_docker 1 ps -aq --filter "label=io.calzion.instance=$broken")" "containers after the failed init"
assert_eq '"failed"' "$(jq -c .status "$bdir/revisions/1.json")" "status of the failed revision"
assert_contains "$(jq -r .message "$bdir/revisions/1.json")" "boom: no space left"
assert_eq '["db: create, then init [not done]","app: create [not done]"]' "$(jq -c .changes "$bdir/audit.log")" "audit of the failure"
assert_contains "$(jq -r .message "$bdir/audit.log")" "boom: no space left"

# The next deploy tries again; fixed, init runs to the end and app starts.
sed -i 's/exit 3/exit 0/' "$T/broken.yaml"
assert_exit 0 cz deploy "$T/broken.yaml" "$broken"
[ -f "$bdir/init/db" ] || fail "no marker after the fixed init"
assert_eq "attempt"$'\n'"attempt" "$(cat "$bdir/volumes/db/data/attempts")" "init attempts"
assert_eq running "$(host_docker 1 inspect -f '{{.State.Status}}' "${broken}_app")" "app after the fixed init"
