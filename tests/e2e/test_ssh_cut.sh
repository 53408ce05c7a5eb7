#!/usr/bin/env bash
# calzion(1) DEPLOY DETAILS: the SSH connection is cut mid-deploy (the sshd
# process serving calzion's session on the host is killed, the listening
# sshd and other sessions are left alone). calzion exits 69 saying the
# connection was lost; the host lets the instance's lock go; nothing recorded
# is corrupt; the next deploy converges: one container per service, no
# "_old" leftover, the template's spec running and ready, history and
# status clean. Three cuts:
#   A. while a start-first replacement waits for its new container to become
#      healthy: the next deploy finishes that replacement, and only once the
#      new container is healthy does the old one go;
#   B. the same, but the new container never becomes ready: the next deploy
#      gives up after --wait-timeout, puts the old container back under its
#      name (the same container, still running), records that and exits 1;
#   C. while calzion holds the lock and reads the state, before any container
#      is touched: nothing changes on the host.
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
need_hosts 1
need_jq

instance_on_host1
# unblock_current: C below makes the instance's "current" file a FIFO, on
# which the host's state reader blocks (holding the lock): put the file back
# as it was (revision $1) and let a reader still blocked go on.
unblock_current() {
  if [ -p "$idir/current" ]; then mv "$idir/current" "$idir/current.blocked"; fi
  if [ -p "$idir/current.blocked" ]; then
    echo "$1" >"$idir/current.tmp"
    mv "$idir/current.tmp" "$idir/current"
    # shellcheck disable=SC2016 # the inner sh expands them
    timeout 5 sh -c 'echo "$2" >"$1"' sh "$idir/current.blocked" "$1" || true
    rm -f "$idir/current.blocked"
  fi
}
on_exit unblock_current 4
# On failure, a background deploy may still run: stop it first.
bg=
stop_bg() { if [ -n "$bg" ]; then kill "$bg" 2>/dev/null || true; fi; }
on_exit stop_bg

# slow becomes healthy READY_AFTER seconds after it starts (start_period: a
# check that fails early does not count, so one that never passes stays
# "starting"); app depends on it. TAG changes both.
cat >"$T/app.yaml" <<'EOF'
vars: {TAG: first, READY_AFTER: "0"}
services:
  slow:
    image: local/busybox:1
    cmd: ["sh", "-c", "trap 'exit 0' TERM; sleep ${READY_AFTER}; touch /tmp/ready; while :; do sleep 1; done"]
    env: {TAG: "${TAG}"}
    healthcheck: {cmd: test -f /tmp/ready, interval: 1s, retries: 3, start_period: 1h}
  app:
    image: local/busybox:1
    cmd: ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"]
    env: {TAG: "${TAG}"}
    depends_on: [slow]
EOF

names() { host_docker 1 ps -a --filter "label=io.calzion.instance=$inst" --format '{{.Names}}' | sort | tr '\n' ' ' | sed 's/ $//'; }
getenv() { host_docker 1 exec "${inst}_$1" sh -c "printf %s \"\$$2\""; }
cid() { host_docker 1 inspect -f '{{.Id}}' "${inst}_$1"; }
health() { host_docker 1 inspect -f '{{.State.Status}} {{.State.Health.Status}}' "${inst}_$1"; }
label_hash() { host_docker 1 inspect -f '{{index .Config.Labels "io.calzion.spec-hash"}}' "${inst}_$1"; }
recorded_hash() { jq -r --arg s "$2" '.deployment.services[] | select(.name == $s) | .spec_hash' "$idir/revisions/$1.json"; }
# The new container of a start-first replacement runs next to the parked old one.
replacing() {
  [ "$(host_docker 1 inspect -f '{{.State.Running}}' "${inst}_slow_old" 2>/dev/null)" = true ] &&
    [ "$(host_docker 1 inspect -f '{{.State.Running}}' "${inst}_slow" 2>/dev/null)" = true ] &&
    [ "$(getenv slow TAG)" = "$1" ]
}

# start_deploy ARGS...: a deploy in the background ($bg), once it holds the lock.
start_deploy() {
  "$CALZION_BIN" --ssh-config "$CZ_SSH_CONFIG" --host host1 deploy "$T/app.yaml" "$inst" "$@" >"$T/bg.out" 2>&1 &
  bg=$!
  wait_for 20 test -s "$idir/lock/owner"
}

# cut_connection: SIGKILL the sshd process(es) of the connection that holds
# the instance's lock on host1: the ancestors of the lock's holder on the host
# up to, not including, the listening sshd. That is calzion's one connection
# to host1; other tests' sessions and the listener are untouched.
cut_connection() {
  local listener pid ppid comm st victims=()
  listener=$(cat "$CZ_E2E_DIR/host1/run/sshd.pid")
  pid=$(cat "$idir/lock/pid")
  while :; do
    st=$(cat "/proc/$pid/stat" 2>/dev/null) || fail "process $pid on host1 is gone before the cut"
    read -r _ ppid _ <<<"${st##*) }"
    [ "$ppid" != "$listener" ] || break
    [ "$ppid" -gt 1 ] || fail "the lock holder $(cat "$idir/lock/pid") is not under host1's sshd $listener"
    pid=$ppid
    comm=$(cat "/proc/$pid/comm")
    if [ "$comm" = sshd ]; then victims+=("$pid"); fi
  done
  [ ${#victims[@]} -gt 0 ] || fail "no sshd session process above the lock holder"
  kill -KILL "${victims[@]}"
}

# wait_cut: the background deploy ends with 69, saying the connection was lost.
wait_cut() {
  local rc=0
  wait "$bg" || rc=$?
  bg=
  assert_eq 69 "$rc" "exit code of a deploy whose connection was cut; its output: $(cat "$T/bg.out")"
  assert_contains "$(cat "$T/bg.out")" "calzion: error: host1: connection to \"host1\" ($CZ_HOST1_ADDR:22) lost"
}

# lock_released: the host let the lock go; `calzion lock` agrees.
lock_released() {
  wait_for 10 test ! -e "$idir/lock"
  assert_exit 0 cz --json lock "$inst"
  assert_eq 'false null' "$(jq -r '.hosts[0] | "\(.locked) \(.holder)"' <<<"$OUT")" "lock after the cut"
}

# state_intact N: revision N is current, revisions 1..N are all there and
# every record (revisions, audit log, history) is valid JSON, no temp file.
state_intact() {
  local n=$1 f
  assert_eq "$n" "$(cat "$idir/current")" "current revision"
  assert_eq "$(seq 1 "$n" | sed 's/$/.json/' | tr '\n' ' ')" "$(find "$idir/revisions" -mindepth 1 -printf '%f\n' | sort -n | tr '\n' ' ')" \
    "files in revisions/"
  for f in "$idir"/revisions/*.json; do
    jq -e .deployment.services "$f" >/dev/null || fail "$f is not a revision record: $(head -c 300 "$f")"
  done
  jq -e -s 'length > 0' "$idir/audit.log" >/dev/null || fail "audit.log is not JSON lines: $(cat "$idir/audit.log")"
  [ -z "$(find "$idir" -name '*.tmp*')" ] || fail "temp files left: $(find "$idir" -name '*.tmp*')"
  assert_exit 0 cz --json history "$inst"
  assert_eq "$(seq "$n" -1 1 | tr '\n' ' ')" "$(jq -r '.hosts[0].revisions[].revision' <<<"$OUT" | tr '\n' ' ')" \
    "revisions in history"
  assert_eq "$n" "$(jq -r '.hosts[0].current_revision' <<<"$OUT")" "current revision in history"
}

# converged TAG [ARGS...]: one container per service, both running the
# template with TAG (and ARGS), slow healthy, status without drift, nothing
# left to do.
converged() {
  assert_eq "${inst}_app ${inst}_slow" "$(names)" "containers"
  assert_eq "running healthy" "$(health slow)" "slow"
  assert_eq "$1 $1" "$(getenv slow TAG) $(getenv app TAG)" "TAG of slow and app"
  assert_exit 0 cz --json status "$inst"
  assert_eq '[["app","running",null],["slow","running",null]]' \
    "$(jq -c '[.instances[0].services[] | [.service, .state, .drift]] | sort' <<<"$OUT")" "status"
  assert_eq false "$(jq '.instances[0].locked' <<<"$OUT")" "status: locked"
  assert_exit 0 cz plan --detailed-exitcode "$T/app.yaml" "$inst" --set "TAG=$1" "${@:2}"
}

assert_exit 0 cz deploy "$T/app.yaml" "$inst"
converged first

# --- A. Cut while the new slow (ready after 10 s) is waited for.
start_deploy --set TAG=second --set READY_AFTER=10
wait_for 30 replacing second
cut_connection
wait_cut
lock_released
# Nothing was recorded by the cut deploy; the old slow still runs beside the new one.
state_intact 1
assert_eq "running healthy" "$(host_docker 1 inspect -f '{{.State.Status}} {{.State.Health.Status}}' "${inst}_slow_old")" \
  "the old slow after the cut"
# The next deploy of the same template finishes the job: it waits for the new
# slow to be healthy (it is still starting now), then removes the old one.
assert_eq "running starting" "$(health slow)" "the new slow before the next deploy"
assert_exit 0 cz deploy "$T/app.yaml" "$inst" --set TAG=second --set READY_AFTER=10
assert_contains "$ERR" "host1 slow: removed container ${inst}_slow_old"
assert_contains "$ERR" "host1 app: replace (start-first): spec changed"
assert_contains "$ERR" "host1: recorded revision 2"
converged second --set READY_AFTER=10
state_intact 2
assert_eq "$(label_hash slow) $(label_hash app)" "$(recorded_hash 2 slow) $(recorded_hash 2 app)" \
  "revision 2 records what runs"
assert_eq '["slow: leftover containers removed","app: replace (env)"]' "$(jq -c .changes "$idir/revisions/2.json")" \
  "changes of revision 2"
slow_id=$(cid slow)
app_id=$(cid app)

# --- B. Cut while waiting for a new slow that never becomes ready.
start_deploy --set TAG=third --set READY_AFTER=3600
wait_for 30 replacing third
cut_connection
wait_cut
lock_released
state_intact 2
# The next deploy of that template gives up after --wait-timeout: the old
# slow (the same container) is back under its name and keeps running, the
# broken one is gone, app (which depends on slow) is untouched.
assert_exit 1 cz deploy "$T/app.yaml" "$inst" --set TAG=third --set READY_AFTER=3600 --wait-timeout 3
assert_contains "$ERR" "calzion: error: host1: service \"slow\": not ready after 3s"
assert_eq "${inst}_app ${inst}_slow" "$(names)" "containers after the failed deploy"
assert_eq "$slow_id" "$(cid slow)" "slow is the old container"
assert_eq "$app_id" "$(cid app)" "app untouched"
converged second --set READY_AFTER=10
state_intact 3
assert_eq '"failed"' "$(jq -c .status "$idir/revisions/3.json")" "status of revision 3"
assert_eq '["slow: leftover containers removed [not done]","app: replace (env) [not done]"]' \
  "$(jq -c .changes "$idir/revisions/3.json")" "changes of revision 3"
assert_eq "$(label_hash slow) $(label_hash app)" "$(recorded_hash 3 slow) $(recorded_hash 3 app)" \
  "revision 3 records what runs"
assert_eq '"failed"' "$(tail -n 1 "$idir/audit.log" | jq -c .status)" "audit line of the failed deploy"
# A good template then converges.
assert_exit 0 cz deploy "$T/app.yaml" "$inst" --set TAG=third
converged third
state_intact 4
slow_id=$(cid slow)
app_id=$(cid app)

# --- C. Cut while calzion holds the lock, before any container changes. The
# state read blocks on the instance's "current" file (a FIFO for the time of
# the test, as on a hung disk): the lock is taken, nothing else happened yet.
rm "$idir/current"
mkfifo "$idir/current"
start_deploy --set TAG=fourth
cut_connection
wait_cut
# The reader still blocks on the host, holding the lock: the cut came
# while it was held.
[ -s "$idir/lock/owner" ] || fail "the lock was not held at the cut"
# Unblock the reader on the host; the real file comes back first.
unblock_current 4
lock_released
assert_eq "$slow_id $app_id" "$(cid slow) $(cid app)" "containers after a cut before any change"
converged third
state_intact 4
assert_exit 0 cz deploy "$T/app.yaml" "$inst" --set TAG=fourth
converged fourth
state_intact 5
