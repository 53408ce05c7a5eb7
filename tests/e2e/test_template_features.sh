#!/usr/bin/env bash
# calzion-template(5) on a host, in the short form calzion started from: a service named
# by its image, register/expose in both the host:port and the URL forms (one
# service reaches another by name and through the variable), global and
# per-service env (the service's own wins), depends_on order, and every kind
# of volume: the default bind directory inside the instance's state directory
# survives a replace and a rollback, a named volume is scoped by instance, an
# explicit bind shows the host's directory, and :ro is read-only.
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
need_hosts 1
need_jq

instance_on_host1
shared=$T/shared
mkdir -p "$shared"
echo from-the-host >"$shared/note"
# The host is this machine in its own network namespace: its engine sees $T.

# local/busybox:1 names the service "busybox". VERSION changes between deploys.
cat >"$T/app.yaml" <<EOF
env:
  LEVEL: global
  REGION: eu
local/busybox:1:
  cmd: ["sh", "-c", "echo \"api \$\$VERSION\" > /www/index.html; exec httpd -f -p 7000 -h /www"]
  register: {7000: api}
  volumes: [/www]
  env: {VERSION: "\${VERSION:-1}"}
client:
  image: local/busybox:1
  cmd: ["sh", "-c", "exec sleep 3600"]
  depends_on: [busybox]
  env: {LEVEL: service}
  expose:
    "busybox:api": API_ADDR
    "busybox:7000": {env: API_URL, format: "http://{host}:{port}/index.html"}
  volumes: [/state, "cache:/cache", "$shared:/shared:ro", "$shared:/shared-rw"]
EOF

assert_exit 0 cz deploy "$T/app.yaml" "$inst"
deploy_err=$ERR
names=$(host_docker 1 ps --filter "label=io.calzion.instance=$inst" --format '{{.Names}}' | sort | tr '\n' ' ')
assert_eq "${inst}_busybox ${inst}_client " "$names" "a service named by its image"

getenv() { host_docker 1 exec "${inst}_$1" sh -c "printf %s \"\$$2\""; }
assert_eq busybox:7000 "$(getenv client API_ADDR)" "expose, host:port form"
assert_eq http://busybox:7000/index.html "$(getenv client API_URL)" "expose, URL form"
assert_eq "service eu global" "$(getenv client LEVEL) $(getenv client REGION) $(getenv busybox LEVEL)" "env precedence"
# shellcheck disable=SC2016
assert_exit 0 host_docker 1 exec "${inst}_client" sh -c 'timeout 5 wget -qO- "$API_URL"'
assert_eq "api 1" "$OUT" "reached through the URL variable"
assert_exit 0 host_docker 1 exec "${inst}_client" timeout 5 wget -qO- http://busybox:7000/
assert_eq "api 1" "$OUT" "reached by name"

# depends_on: client is created only once busybox is ready.
ready_line=$(grep -n "host1 busybox: ready" <<<"$deploy_err" | cut -d: -f1)
create_line=$(grep -n "host1 client: create" <<<"$deploy_err" | cut -d: -f1)
[ -n "$ready_line" ] && [ -n "$create_line" ] && [ "$ready_line" -lt "$create_line" ] ||
  fail "client was created before busybox was ready:"$'\n'"$deploy_err"

# Volumes.
assert_eq "api 1" "$(cat "$idir/volumes/busybox/www/index.html")" "default bind lives in the instance directory"
assert_eq from-the-host "$(host_docker 1 exec "${inst}_client" cat /shared/note)" "explicit bind"
assert_exit 1 host_docker 1 exec "${inst}_client" sh -c 'echo x > /shared/new'
assert_contains "$ERR" "Read-only file system" "the :ro bind is read-only"
assert_exit 0 host_docker 1 exec "${inst}_client" sh -c 'echo written > /shared-rw/new'
assert_eq written "$(cat "$shared/new")" "a writable bind writes to the host"
host_docker 1 exec "${inst}_client" sh -c 'echo cached > /cache/c'
assert_eq "cz_${inst}_cache" "$(host_docker 1 volume ls -q --filter "name=cz_${inst}_cache")" "named volume scoped by instance"
echo user-data >"$idir/volumes/client/state/keep"

# A changed spec replaces; data stays.
assert_exit 0 cz deploy --set VERSION=2 "$T/app.yaml" "$inst"
assert_contains "$ERR" "host1 busybox: replace (start-first): spec changed"
assert_not_contains "$ERR" "host1 client: replace"
assert_eq "api 2" "$(host_docker 1 exec "${inst}_client" timeout 5 wget -qO- http://busybox:7000/)" "new version serving"
assert_eq user-data "$(host_docker 1 exec "${inst}_client" cat /state/keep)" "default bind survives a replace"
assert_eq cached "$(host_docker 1 exec "${inst}_client" cat /cache/c)" "named volume survives a replace"

# Rollback to revision 1: the old spec, the same data.
assert_exit 0 cz rollback "$inst" --to 1
assert_eq "1" "$(getenv busybox VERSION)" "rolled back env"
assert_eq user-data "$(host_docker 1 exec "${inst}_client" cat /state/keep)" "default bind survives a rollback"
assert_eq cached "$(host_docker 1 exec "${inst}_client" cat /cache/c)" "named volume survives a rollback"

# destroy without --volumes keeps the data, and a new deploy finds it.
assert_exit 0 cz destroy "$inst"
assert_eq user-data "$(cat "$idir/volumes/client/state/keep")" "data kept by destroy"
assert_exit 0 cz deploy "$T/app.yaml" "$inst"
assert_eq user-data "$(host_docker 1 exec "${inst}_client" cat /state/keep)" "data found again"
assert_exit 0 cz destroy --volumes "$inst"
[ ! -e "$idir/volumes" ] || fail "destroy --volumes left $idir/volumes"
assert_eq "" "$(host_docker 1 volume ls -q --filter "name=cz_${inst}_cache")" "named volume removed by destroy --volumes"
assert_eq written "$(cat "$shared/new")" "an explicit bind is the user's: never removed"
