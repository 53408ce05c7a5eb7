#!/usr/bin/env bash
# A job's notify command, as a user runs it: examples/notify/github-status.sh
# posts a commit status for every change of the job's and each step's state, in
# order, to a stand-in for GitHub's API on loopback (the method, the path, the
# token header and the JSON body of each); the token never reaches a command
# line, calzion's output or the job's files on the host. A notify that fails or
# outlives notify_timeout is a note and the job still succeeds; a .cion.yml's
# notify is not run.
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
# shellcheck source=lib/pipeline.sh
. "$(dirname "$0")/lib/pipeline.sh"
need_hosts 1
need_jq
command -v python3 >/dev/null || fail "python3 is required (apt-get install python3)"
command -v curl >/dev/null || fail "curl is required (apt-get install curl)"
instance_on_host1
on_exit rm -rf "$idir/jobs"
example=$(cd "$(dirname "$0")/../../examples/notify" && pwd)/github-status.sh
token=secret-token-123

# --- the stand-in for the API --------------------------------------------------
python3 "$E2E_LIB_DIR/fake_forge.py" "$T/port" "$T/requests" &
server=$!
on_exit kill "$server"
wait_for 20 test -s "$T/port"
port=$(cat "$T/port")
wait_for 20 curl -s -o /dev/null "http://127.0.0.1:$port/ready"
: >"$T/requests"

# curl as the example runs it, its argv recorded (one word a line) first.
mkdir -p "$T/bin"
real_curl=$(command -v curl)
cat >"$T/bin/curl" <<SHIM
#!/bin/sh
printf '%s\n' "\$@" >>"$T/curl-argv"
exec "$real_curl" "\$@"
SHIM
chmod +x "$T/bin/curl"

git_remote
cat >"$work/app.yaml" <<'EOF2'
services:
  idle:
    image: local/busybox:1
    cmd: sleep 3600
pipeline:
  parallel: 1
  build:
    image: local/busybox:1
    cmds: [echo built]
  tasks:
    lint:
      image: local/busybox:1
      cmds: ['echo "a \"quoted\" \\ problem"', exit 3]
  release:
    image: local/busybox:1
    cmds: [echo released]
EOF2
git_ add -A
git_ commit -qm "a commit whose lint fails"
c1=$(git_ rev-parse HEAD)

# --- every state change, posted in order ---------------------------------------
# Meanwhile, every process's command line is searched for the token.
printf '%s\n' "$token" >"$T/token"
(
  while [ ! -e "$T/ran" ]; do
    # shellcheck disable=SC2009 # every command line, not a process by name
    ps -eo args | grep -F -f "$T/token" >>"$T/ps-hits" || true
  done
) &
watcher=$!
PATH=$T/bin:$PATH GITHUB_API_URL=http://127.0.0.1:$port GITHUB_REPOSITORY=acme/app GITHUB_TOKEN=$token \
  CALZION_TARGET_URL='https://ci.example.com/jobs?id=1&x="y"' \
  assert_exit 1 cz pipeline run "$work/app.yaml" "$inst" --ref main --notify "$example" --json
touch "$T/ran"
wait "$watcher"
job=$(jq_job .id)
assert_eq failed "$(jq_job .state)" "the job's state"
assert_not_contains "$ERR" "notify failed" "notify reported a failure"

assert_eq "7" "$(wc -l <"$T/requests" | tr -d ' ')" "requests to the API: $(cat "$T/requests")"
assert_eq "POST /repos/acme/app/statuses/$c1" \
  "$(jq -r '.method + " " + .path' "$T/requests" | sort -u)" "method and path of every request"
assert_eq "Bearer $token" "$(jq -r .authorization "$T/requests" | sort -u)" "the token header of every request"
assert_eq "calzion/$inst pending
calzion/$inst/build pending
calzion/$inst/build success
calzion/$inst/lint pending
calzion/$inst/lint failure
calzion/$inst/release error
calzion/$inst failure" "$(jq -r '.body.context + " " + .body.state' "$T/requests")" "contexts and states, in order"
assert_eq "job $job running at ${c1:0:12}
build running
build succeeded
lint running
lint failed with exit status 3
release skipped" "$(jq -r .body.description "$T/requests" | head -6)" "descriptions"
assert_contains "$(jq -r .body.description "$T/requests" | tail -1)" "job $job failed at ${c1:0:12}" "the job's last description"
assert_eq 'https://ci.example.com/jobs?id=1&x="y"' "$(jq -r .body.target_url "$T/requests" | sort -u)" \
  "target_url, its quotes escaped"
assert_eq "context description state target_url" "$(jq -r '.body | keys | join(" ")' "$T/requests" | sort -u)" \
  "the keys of every body"

# The token: in no argv of curl nor of any process seen, in no output, nowhere
# in the job's files on the host.
assert_contains "$(cat "$T/curl-argv")" "--config" "curl ran through the recording shim"
assert_not_contains "$(cat "$T/curl-argv")" "$token" "the token on curl's command line"
assert_eq "" "$(cat "$T/ps-hits" 2>/dev/null)" "the token in ps output"
assert_not_contains "$OUT$ERR" "$token" "the token in calzion's output"
jdir=$(job_dir "$job")
[ -f "$jdir/job.json" ] || fail "no job record at $jdir"
assert_eq "" "$(grep -rlF "$token" "$jdir" || true)" "files of the job holding the token"

# --- a notify that fails, or outlives its timeout: a note, the job succeeds ----
cat >"$work/ok.yaml" <<'EOF2'
services:
  idle:
    image: local/busybox:1
    cmd: sleep 3600
pipeline:
  notify: [sh, -c, 'cat >/dev/null; echo "no forge here" >&2; exit 3']
  notify_timeout: 1
  build:
    image: local/busybox:1
    cmds: [echo built]
EOF2
git_ add -A
git_ commit -qm "a commit that builds"
assert_exit 0 cz pipeline run "$work/ok.yaml" "$inst" --ref main
assert_contains "$ERR" $'host1: notify failed: exit status 3: no forge here\n' "a failing notify of the job"
assert_contains "$ERR" $'host1 build: notify failed: exit status 3: no forge here\n' "a failing notify of a step"
assert_eq 4 "$(grep -c 'notify failed' <<<"$ERR")" "failing notifies (job running, build running, build succeeded, job succeeded)"

assert_exit 0 cz pipeline run "$work/ok.yaml" "$inst" --ref main --notify 'sleep 10'
assert_contains "$ERR" $'host1 build: notify failed: timed out after 1 s\n' "a notify past its timeout"
assert_eq 4 "$(grep -c 'notify failed: timed out after 1 s' <<<"$ERR")" "notifies past their timeout"

# --- a .cion.yml's notify is not run ------------------------------------------
cat >"$work/bare.yaml" <<'EOF2'
services:
  idle:
    image: local/busybox:1
    cmd: sleep 3600
EOF2
cat >"$work/.cion.yml" <<EOF2
notify: touch $T/cion-notify-ran
build:
  image: local/busybox:1
  cmds: [echo built]
EOF2
git_ add -A
git_ commit -qm "a .cion.yml with a notify"
assert_exit 0 cz pipeline run "$work/bare.yaml" "$inst" --ref main
assert_contains "$ERR" "the notify of .cion.yml is not run"
[ ! -e "$T/cion-notify-ran" ] || fail "the notify of .cion.yml ran"
# --notify still applies.
assert_exit 0 cz pipeline run "$work/bare.yaml" "$inst" --ref main --notify "cat >/dev/null; touch $T/flag-ran"
[ -e "$T/flag-ran" ] || fail "--notify did not run with a .cion.yml"
assert_not_contains "$ERR" "is not run"
