#!/usr/bin/env bash
# Secrets (calzion(1) SECURITY): values come from the environment or --secrets-file, never
# the template; they reach the container's environment literally through a
# 0600 env file in a 0700 directory on the host, and appear on no command line
# (--dry-run shows every one), in no output (human, --json, plan) and in no
# state record. A missing secret stops before any host is touched.
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
need_hosts 1
need_jq

instance_on_host1

cat >"$T/app.yaml" <<'EOF'
services:
  db:
    image: local/busybox:1
    cmd: sleep 3600
    secrets: [DB_PASSWORD]
  web:
    image: local/busybox:1
    cmd: sleep 3600
    secrets: [DB_PASSWORD, API_TOKEN]
    env: {PUBLIC: visible}
EOF
pw='s3cr3t-$(id) "q" '"'x'"' `w` \ ü'
token=tok-4b1d5e0f7a
printf 'API_TOKEN=%s\n' "$token" >"$T/secrets.env"

# Missing: usage error, nothing on the host.
assert_exit 64 env -u DB_PASSWORD "$CALZION_BIN" --ssh-config "$CZ_SSH_CONFIG" --host host1 deploy "$T/app.yaml" "$inst"
assert_contains "$ERR" 'calzion: error: secret "DB_PASSWORD" of service "db" is not set: put it in the environment or in --secrets-file'
[ ! -e "$idir" ] || fail "state written although a secret is missing"
# plan fails the same way: it has no values, but checks each secret is set.
assert_exit 64 env -u DB_PASSWORD "$CALZION_BIN" --ssh-config "$CZ_SSH_CONFIG" --host host1 plan "$T/app.yaml" "$inst"
assert_contains "$ERR" 'calzion: error: secret "DB_PASSWORD" of service "db" is not set: put it in the environment or in --secrets-file'
assert_not_contains "$OUT" "create" "no plan printed when a secret is missing"

export DB_PASSWORD=$pw
# leaks TEXT WHAT: neither secret may appear in TEXT.
leaks() {
  assert_not_contains "$1" "s3cr3t" "the database password leaks into $2"
  assert_not_contains "$1" "$token" "the API token leaks into $2"
}

assert_exit 0 cz deploy --dry-run "$T/app.yaml" "$inst" --secrets-file "$T/secrets.env"
leaks "$OUT$ERR" "deploy --dry-run"
assert_contains "$OUT" "--env-file /var/lib/calzion/instances/$inst/secrets/web.env"

assert_exit 0 cz --json deploy "$T/app.yaml" "$inst" --secrets-file "$T/secrets.env"
leaks "$OUT$ERR" "deploy --json"

getenv() { host_docker 1 exec "${inst}_$1" sh -c "printf %s \"\$$2\""; }
assert_eq "$pw" "$(getenv db DB_PASSWORD)" "DB_PASSWORD in db"
assert_eq "$pw" "$(getenv web DB_PASSWORD)" "DB_PASSWORD in web"
assert_eq "$token" "$(getenv web API_TOKEN)" "API_TOKEN in web"
assert_eq "" "$(getenv db API_TOKEN)" "API_TOKEN only where asked for"
assert_eq visible "$(getenv web PUBLIC)" "plain env next to secrets"

# On the host: one env file per service, 0600, in a 0700 directory, owned by
# the ssh user.
assert_eq "700 root" "$(stat -c '%a %U' "$idir/secrets")" "secrets directory"
for svc in db web; do
  assert_eq "600 root" "$(stat -c '%a %U' "$idir/secrets/$svc.env")" "secrets file of $svc"
done
assert_eq "DB_PASSWORD=$pw"$'\n'"API_TOKEN=$token" "$(sort -r "$idir/secrets/web.env")" "secrets file of web"
# An env file per service, and a record of the digest each container runs with.
assert_eq "db.applied db.env web.applied web.env" "$(ls "$idir/secrets" | tr '\n' ' ' | sed 's/ $//')" "secrets directory content"

# Not in the records, the audit log, plan, status or the container's command.
for f in "$idir"/revisions/*.json "$idir/audit.log" "$idir/current"; do
  leaks "$(cat "$f")" "$f"
done
assert_exit 0 cz plan "$T/app.yaml" "$inst" --secrets-file "$T/secrets.env"
leaks "$OUT$ERR" "plan"
assert_exit 0 cz --json plan "$T/app.yaml" "$inst" --secrets-file "$T/secrets.env"
leaks "$OUT$ERR" "plan --json"
assert_exit 0 cz --json status "$inst"
leaks "$OUT$ERR" "status --json"
leaks "$(host_docker 1 inspect -f '{{json .Config.Cmd}} {{json .Args}} {{json .Config.Labels}}' "${inst}_web")" "the container's command and labels"
leaks "$(host_docker 1 logs "${inst}_web" 2>&1)" "the container's logs"

# Nor in any process's command line while a deploy runs (the host shares this
# machine's process table): sample every command line until the deploy ends.
sample_processes() {
  while [ ! -e "$T/deploy-done" ]; do
    ps -eo args >>"$T/processes" 2>/dev/null || true
    sleep 0.05
  done
}
sample_processes &
sampler=$!
assert_exit 0 cz deploy --force "$T/app.yaml" "$inst" --secrets-file "$T/secrets.env"
touch "$T/deploy-done"
wait "$sampler"
assert_contains "$(cat "$T/processes")" "deploy --force" "the sampler ran during the deploy"
leaks "$(cat "$T/processes")" "the process list during deploy"

# A changed secret replaces exactly the services that use it; the same values
# again replace nothing.
id_db=$(host_docker 1 inspect -f '{{.Id}}' "${inst}_db")
printf 'API_TOKEN=%s\n' "$token-2" >"$T/secrets.env"
assert_exit 0 cz deploy "$T/app.yaml" "$inst" --secrets-file "$T/secrets.env"
assert_contains "$ERR" "host1 web: replace (start-first): secrets changed"
assert_not_contains "$ERR" "host1 db: replace"
assert_eq "$id_db" "$(host_docker 1 inspect -f '{{.Id}}' "${inst}_db")" "db untouched: its secret did not change"
assert_eq "$token-2" "$(getenv web API_TOKEN)" "the new secret in web"
leaks "$OUT$ERR" "a deploy that changes a secret"
assert_exit 0 cz plan --detailed-exitcode "$T/app.yaml" "$inst" --secrets-file "$T/secrets.env"
assert_exit 0 cz deploy "$T/app.yaml" "$inst" --secrets-file "$T/secrets.env"
assert_contains "$ERR" "up to date"
assert_eq "600" "$(stat -c '%a' "$idir/secrets/web.applied")" "the record of applied secrets"
leaks "$(cat "$idir/secrets/web.applied")" "the record of applied secrets"

# destroy removes the secrets with the records.
assert_exit 0 cz destroy "$inst"
[ ! -e "$idir/secrets" ] || fail "secrets survive destroy: $(ls -la "$idir/secrets")"
