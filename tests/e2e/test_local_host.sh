#!/usr/bin/env bash
# --host local (and no --host at all) runs docker and the state scripts on
# this machine, without SSH. This machine has no engine of its own in CI, so
# the test runs calzion the way it would run on host1 itself: DOCKER_HOST
# points at host1's engine and, in a private mount namespace, host1's state
# directory is /var/lib/calzion (as on host1, where the engine resolves bind
# mounts). What calzion records locally, `--host host1` then reads over SSH.
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
need_hosts 1
need_jq

inst=$E2E_NAME
idir=$CZ_HOST1_STATE/instances/$inst

# czlocal ARGS...: calzion on "host1's machine", no SSH involved: the ssh
# config it is given sends every connection to a ProxyCommand that fails, and
# HOME has no ~/.ssh.
mkdir -p "$T/home" /var/lib/calzion
printf 'Host *\n  ProxyCommand false\n' >"$T/unusable-ssh-config"
czlocal() {
  HOME=$T/home DOCKER_HOST=$CZ_HOST1_DOCKER_HOST unshare --mount --propagation private -- \
    sh -c 'mount --bind "$1" /var/lib/calzion && shift && exec "$@"' sh "$CZ_HOST1_STATE" \
    "$CALZION_BIN" --ssh-config "$T/unusable-ssh-config" "$@"
}
czssh() { calzion --ssh-config "$CZ_SSH_CONFIG" --host host1 "$@"; }
on_exit czssh destroy --volumes --missing-ok "$inst"

cat >"$T/app.yaml" <<'EOF'
services:
  web:
    image: local/busybox:1
    cmd: ["sh", "-c", "echo \"page of $$CALZION_INSTANCE\" > /www/index.html && exec httpd -f -p 8080 -h /www"]
    volumes: [/www]
  client:
    image: local/busybox:1
    cmd: sleep 3600
    depends_on: [web]
EOF

assert_exit 0 czlocal --host local deploy --dry-run "$T/app.yaml" "$inst"
assert_contains "$OUT" "local: docker run --detach --pull=missing --name ${inst}_web "
[ ! -e "$idir" ] || fail "a dry run created $idir"

assert_exit 0 czlocal --host local deploy "$T/app.yaml" "$inst"
assert_contains "$ERR" "local web: create: new service"
assert_contains "$ERR" "local: recorded revision 1"

# The containers run on the engine DOCKER_HOST names, and work.
assert_eq running "$(host_docker 1 inspect -f '{{.State.Status}}' "${inst}_web")" "web"
assert_eq "page of $inst" "$(host_docker 1 exec "${inst}_client" timeout 5 wget -qO- http://web:8080/)" "page by service name"
# The instance volume is the directory in the state dir the engine sees.
assert_eq "page of $inst" "$(cat "$idir/volumes/web/www/index.html")" "instance volume"
assert_eq 1 "$(cat "$idir/current")" "current"
assert_eq '["web: create","client: create"]' "$(jq -c .changes "$idir/revisions/1.json")" "changes"
# This machine's own /var/lib/calzion was not touched.
[ ! -e "/var/lib/calzion/instances/$inst" ] || fail "state written to this machine's /var/lib/calzion"

# Without any --host the target is local, too.
assert_exit 0 czlocal plan --detailed-exitcode "$T/app.yaml" "$inst"
assert_eq "local: $inst at revision 1, no changes
  = web      unchanged: up to date
  = client   unchanged: up to date" "$OUT" "plan with no host"
assert_exit 0 czlocal --json status "$inst"
assert_eq '"local" 1 ["running","running"]' \
  "$(jq -c '.instances[0] | .host, .revision, [.services[].state]' <<<"$OUT" | tr '\n' ' ' | sed 's/ $//')" "status with no host"

# What local recorded, SSH reads; what SSH deploys, local sees.
assert_exit 0 czssh plan --detailed-exitcode "$T/app.yaml" "$inst"
assert_contains "$OUT" "host1: $inst at revision 1, no changes"
assert_exit 0 czssh deploy --force "$T/app.yaml" "$inst"
assert_exit 0 czlocal --host local list
assert_contains "$OUT" "$inst"
grep -q "^local  *$inst  *2 " <<<"$OUT" || fail "local list: $OUT"

# logs and exec run docker here, without SSH, and pass the exit code through.
assert_exit 0 czlocal logs "$inst" web
assert_eq "" "$OUT$ERR" "logs of a quiet httpd"
assert_exit 4 czlocal exec "$inst" client -- sh -c 'echo "in $CALZION_SERVICE"; exit 4'
assert_eq "in client" "$OUT" "local exec output"
czlocal_fed() { echo fed | czlocal "$@"; }
assert_exit 0 czlocal_fed exec -i "$inst" client -- cat
assert_eq "fed" "$OUT" "local exec -i"

assert_exit 0 czlocal --host local destroy --volumes "$inst"
assert_contains "$ERR" "local: destroyed \"$inst\" (2 containers, with its data)"
assert_eq "" "$(host_docker 1 ps -aq --filter "label=io.calzion.instance=$inst")" "containers after destroy"
[ ! -e "$idir" ] || fail "$idir survives destroy --volumes"
