#!/usr/bin/env bash
# calzion(1) DEPLOY DETAILS: concurrent deploys of one instance never interleave. While one
# deploy holds the instance's lock on the host, a second exits 75 at once,
# naming the holder; with --lock-timeout it waits and then deploys on top of
# the first. The lock dies with its holder: a killed calzion leaves no lock
# that blocks the next deploy. Other instances are not blocked.
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
need_hosts 1
need_jq

inst=$E2E_NAME
other=$E2E_NAME-other
cz() { calzion --ssh-config "$CZ_SSH_CONFIG" --host host1 "$@"; }
on_exit cz destroy --volumes --missing-ok "$inst" --lock-timeout 30s
on_exit cz destroy --volumes --missing-ok "$other"
# On failure, a background deploy may still hold the lock: stop it first.
holder=
stop_holder() { if [ -n "$holder" ]; then kill "$holder" 2>/dev/null || true; fi; }
on_exit stop_holder
idir=$CZ_HOST1_STATE/instances/$inst

# A service that becomes healthy only after 4 s: the deploy holds the lock
# that long.
cat >"$T/slow.yaml" <<'EOF'
vars: {TAG: first}
services:
  slow:
    image: local/busybox:1
    cmd: ["sh", "-c", "sleep 4; touch /tmp/ready; exec sleep 3600"]
    env: {TAG: "${TAG}"}
    healthcheck: {cmd: test -f /tmp/ready, interval: 1s, retries: 30}
EOF

# start_slow_deploy [ARGS...]: a deploy in the background; sets $holder (its
# pid) once it holds the lock.
start_slow_deploy() {
  "$CALZION_BIN" --ssh-config "$CZ_SSH_CONFIG" --host host1 deploy "$T/slow.yaml" "$inst" "$@" >"$T/holder.out" 2>&1 &
  holder=$!
  wait_for 20 test -s "$idir/lock/owner"
}

start_slow_deploy
owner=$(cat "$idir/lock/owner")
assert_eq "$holder deploy ${USER:-$(id -un)} $(hostname)" "$(jq -r '"\(.pid) \(.command) \(.user) \(.machine)"' <<<"$owner")" "lock owner"

# A second deploy gives up at once: 75, naming the holder.
start=$SECONDS
assert_exit 75 cz deploy "$T/slow.yaml" "$inst" --set TAG=second
[ $((SECONDS - start)) -le 3 ] || fail "a deploy without --lock-timeout waited $((SECONDS - start)) s"
since=$(jq -r .since <<<"$owner")
assert_contains "$ERR" "calzion: error: host1: instance \"$inst\" is locked by ${USER:-$(id -un)}@$(hostname) (deploy since $since, pid $holder); retry later or wait with --lock-timeout"
assert_exit 75 cz --json deploy "$T/slow.yaml" "$inst" --set TAG=second
assert_eq 1 "$(jq -s length <<<"$OUT")" "JSON documents on stdout"
assert_eq '"host1" 75' "$(jq -c '.hosts[0] | .host, .error.exit_code' <<<"$OUT" | tr '\n' ' ' | sed 's/ $//')" "deploy --json while locked"
# So does destroy; status shows the lock.
assert_exit 75 cz destroy "$inst"
assert_exit 0 cz --json status "$inst"
assert_eq true "$(jq '.instances[0].locked' <<<"$OUT")" "status shows the lock"
# Another instance on the same host is not blocked.
assert_exit 0 cz deploy "$T/slow.yaml" "$other" --wait-timeout 30

# With --lock-timeout the second deploy waits for the first, then applies its
# change on top of it.
assert_exit 0 cz deploy "$T/slow.yaml" "$inst" --set TAG=second --lock-timeout 60s
wait "$holder" || fail "the first deploy failed: $(cat "$T/holder.out")"
assert_contains "$(cat "$T/holder.out")" "host1: recorded revision 1"
assert_contains "$ERR" "host1 slow: replace (start-first): spec changed"
assert_contains "$ERR" "host1: recorded revision 2"
assert_eq second "$(host_docker 1 exec "${inst}_slow" sh -c 'printf %s "$TAG"')" "TAG after both deploys"
assert_eq '1 "succeeded" 2 "succeeded"' "$(jq -c '.revision, .status' "$idir/audit.log" | tr '\n' ' ' | sed 's/ $//')" "audit.log"
[ ! -e "$idir/lock" ] || fail "lock left behind after both deploys"

# A holder killed mid-deploy takes its lock with it: the next deploy, without
# waiting, converges.
start_slow_deploy --set TAG=third --force
disown "$holder"  # no "Killed" report from bash
kill -KILL "$holder"
wait_for 5 test ! -e "$idir/lock"
assert_exit 0 cz deploy "$T/slow.yaml" "$inst" --set TAG=fourth
assert_eq fourth "$(host_docker 1 exec "${inst}_slow" sh -c 'printf %s "$TAG"')" "TAG after a killed deploy"
assert_eq "${inst}_slow" "$(host_docker 1 ps -a --filter "label=io.calzion.instance=$inst" --format '{{.Names}}')" \
  "containers after a killed deploy"
