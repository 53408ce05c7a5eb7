#!/usr/bin/env bash
# lock INSTANCE shows, per host, who holds the instance's lock (user@machine,
# command, since, pid) and whether the holding process still runs on the host,
# or "not locked"; --json as one document; exit 0 either way. lock --break
# refuses (75) while the holder runs, and removes a stale lock (its holder was
# killed, or its pid now belongs to another program), saying whose it was and
# appending an audit line; afterwards deploy works. restart/stop/start honour
# the lock and --lock-timeout like deploy.
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
need_hosts 2
need_jq

instance_on_host1
cz2() { calzion --ssh-config "$CZ_SSH_CONFIG" --host host1 --host host2 "$@"; }
me=${USER:-$(id -un)}@$(hostname)
holder=
stop_holder() { if [ -n "$holder" ]; then kill "$holder" 2>/dev/null || true; fi; }
on_exit stop_holder
squatter=
stop_squatter() { if [ -n "$squatter" ]; then kill "$squatter" 2>/dev/null || true; fi; }
on_exit stop_squatter

# A service that becomes healthy only after 4 s: the deploy holds the lock
# that long.
cat >"$T/slow.yaml" <<'EOF'
vars: {TAG: first}
services:
  slow:
    image: local/busybox:1
    cmd: ["sh", "-c", "trap 'exit 0' TERM; sleep 4; touch /tmp/ready; while :; do sleep 1; done"]
    env: {TAG: "${TAG}"}
    healthcheck: {cmd: test -f /tmp/ready, interval: 1s, retries: 30}
EOF

# leave_lock PID: a lock as a holder that is gone would have left it.
leave_lock() {
  mkdir "$idir/lock"
  echo "$1" >"$idir/lock/pid"
  echo '{"user":"mallory","machine":"gone","pid":77,"since":"2026-01-01T00:00:00Z","command":"deploy"}' >"$idir/lock/owner"
}
mallory='mallory@gone (deploy since 2026-01-01T00:00:00Z, pid 77)'

# Nobody holds it.
assert_exit 0 cz2 lock "$inst"
assert_eq "host1: \"$inst\" is not locked
host2: \"$inst\" is not locked" "$OUT" "lock of a free instance"

# A deploy holds it: shown with its holder, on host1 only.
"$CALZION_BIN" --ssh-config "$CZ_SSH_CONFIG" --host host1 deploy "$T/slow.yaml" "$inst" >"$T/holder.out" 2>&1 &
holder=$!
wait_for 20 test -s "$idir/lock/owner"
since=$(jq -r .since "$idir/lock/owner")
host_pid=$(cat "$idir/lock/pid")
assert_exit 0 cz2 lock "$inst"
assert_eq "host1: \"$inst\" is locked by $me (deploy since $since, pid $holder); its process $host_pid on the host is running
host2: \"$inst\" is not locked" "$OUT" "lock held by a deploy"
assert_exit 0 cz2 --json lock "$inst"
assert_eq '{"user":"'"${me%@*}"'","machine":"'"$(hostname)"'","command":"deploy","since":"'"$since"'","pid":'"$holder"',"host_pid":'"$host_pid"',"running":true}' \
  "$(jq -c '.hosts[0].holder' <<<"$OUT")" "lock --json: holder"
assert_eq '[["host1",true,false,false],["host2",false,false,false]]' \
  "$(jq -c '[.hosts[] | [.host, .locked, .stale, .broken]]' <<<"$OUT")" "lock --json: hosts"

# Breaking the lock of a live holder is refused, and says what to do instead.
assert_exit 75 cz lock --break "$inst"
assert_eq "calzion: error: host1: instance \"$inst\" is locked by $me (deploy since $since, pid $holder), whose process $host_pid still runs on the host: wait for it (--lock-timeout), or if it hangs, end that process on the host (kill $host_pid) and the lock goes with it" \
  "$ERR" "lock --break of a live holder"
assert_exit 0 test -d "$idir/lock"
# stop, like deploy, does not wait for the lock unless asked to.
assert_exit 75 cz stop "$inst"
assert_contains "$ERR" "calzion: error: host1: instance \"$inst\" is locked by $me (deploy since $since, pid $holder); retry later or wait with --lock-timeout"
assert_exit 0 cz stop "$inst" --lock-timeout 60s
wait "$holder" || fail "the holding deploy failed: $(cat "$T/holder.out")"
holder=
assert_eq exited "$(host_docker 1 inspect -f '{{.State.Status}}' "${inst}_slow")" "stop after waiting for the lock"
assert_exit 0 cz start "$inst"

# Released: not locked, and --break has nothing to do.
assert_exit 0 cz lock --break "$inst"
assert_eq "host1: \"$inst\" is not locked" "$OUT" "lock --break of a free lock"

# A stale lock: its holder was killed. Shown as stale, then broken.
sh -c 'exit 0' &
dead=$!
wait "$dead"
leave_lock "$dead"
assert_exit 0 cz lock "$inst"
assert_eq "host1: \"$inst\" is locked by $mallory; its process $dead on the host is gone: the lock is stale, calzion lock --break $inst removes it" \
  "$OUT" "stale lock"
assert_exit 0 cz --json lock "$inst"
assert_eq '[true,true,false]' "$(jq -c '.hosts[0] | [.locked, .stale, .holder.running]' <<<"$OUT")" "stale lock --json"
assert_exit 0 cz --json status "$inst"
assert_eq true "$(jq '.instances[0].locked' <<<"$OUT")" "status shows the stale lock"
assert_exit 0 cz2 lock --break "$inst"
assert_eq "host1: broke the lock of \"$inst\" held by $mallory
host2: \"$inst\" is not locked" "$OUT" "lock --break of a stale lock"
[ ! -e "$idir/lock" ] || fail "the stale lock survived --break"
assert_eq "" "$(find "$idir" -mindepth 1 -maxdepth 1 -name 'lock*')" "leftovers of the broken lock"
assert_eq "[\"lock --break\",\"$me\",\"succeeded\",\"lock broken: it was held by $mallory\"]" \
  "$(tail -n 1 "$idir/audit.log" | jq -c '[.command, "\(.user)@\(.machine)", .result, .message]')" "audit line"
assert_exit 0 cz --json lock "$inst"
assert_eq false "$(jq '.hosts[0].locked' <<<"$OUT")" "lock after --break"

# Afterwards deploy works.
assert_exit 0 cz deploy "$T/slow.yaml" "$inst" --set TAG=second
assert_contains "$ERR" "host1: recorded revision 2"

# A lock whose pid now belongs to another program (pids are reused) is stale
# too: that program is not a calzion script.
sleep 300 &
squatter=$!
leave_lock "$squatter"
assert_exit 0 cz lock "$inst"
assert_contains "$OUT" "its process $squatter on the host is gone: the lock is stale"
assert_exit 0 cz lock --break "$inst"
assert_eq "host1: broke the lock of \"$inst\" held by $mallory" "$OUT" "lock --break of a reused pid"
assert_exit 0 kill -0 "$squatter"

# A lock directory without a pid (a holder killed right after taking it).
mkdir "$idir/lock"
assert_exit 0 cz lock "$inst"
assert_eq "host1: \"$inst\" is locked by an unknown holder; no process of it is recorded on the host: the lock is stale, calzion lock --break $inst removes it" \
  "$OUT" "lock without a pid"
assert_exit 0 cz lock --break "$inst"
assert_eq "host1: broke the lock of \"$inst\" held by an unknown holder" "$OUT" "lock --break without a pid"
assert_exit 0 cz deploy "$T/slow.yaml" "$inst" --set TAG=third
