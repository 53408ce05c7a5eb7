#!/usr/bin/env bash
# Pipelines that go wrong, as a user sees them: a failing task fails the job
# (exit 1, the step named with its exit status and last log lines) and the
# release never runs; `pipeline validate` reports every problem at once, each
# located file:line:column; a calzion killed with -9 in the middle of a step
# leaves a job that the next `jobs` marks `error`, its container removed; and
# `job cancel` stops a running job, recorded `canceled`.
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
# shellcheck source=lib/pipeline.sh
. "$(dirname "$0")/lib/pipeline.sh"
need_hosts 1
need_jq
instance_on_host1
on_exit rm -rf "$idir/jobs"
# On failure, a background job may still run: stop it first.
bg=
stop_bg() { if [ -n "$bg" ]; then kill "$bg" 2>/dev/null || true; fi; }
on_exit stop_bg

git_remote
echo "source" >"$work/README"
git_ add -A
git_ commit -qm "one"
git_ push -q origin main
c1=$(git_ rev-parse main)

# last_job: the id of the instance's newest job.
last_job() {
  cz jobs "$inst" --json | jq -r '.jobs[-1].id'
}
# steps_of ID: "name:state:exit_code" of every step of job ID, from job show.
steps_of() {
  cz job show "$1" --json | jq -r '[.job.steps[] | "\(.name):\(.state):\(.exit_code)"] | join(" ")'
}

# --- a failing task ------------------------------------------------------------
cat >"$T/fail.yaml" <<'EOF'
services:
  idle: {image: local/busybox:1, cmd: sleep 3600}
pipeline:
  build:
    image: local/busybox:1
    cmds: [echo building, "echo built > \"$ARTIFACTS_DIR/out\""]
  tasks:
    unit:
      image: local/busybox:1
      cmds:
        - echo "unit line 1"
        - echo "unit line 2"
        - sh -c 'exit 3'
        - echo "never printed"
  release:
    image: local/busybox:1
    cmds: [echo released]
EOF
assert_exit 1 cz pipeline run "$T/fail.yaml" "$inst" --repo "$remote" --ref main
assert_contains "$ERR" "step \"unit\" failed with exit status 3"
assert_contains "$ERR" "unit line 2" "the failing step's last lines"
assert_not_contains "$ERR" "never printed"
assert_not_contains "$ERR" "released"
job=$(last_job)
assert_eq "build:succeeded:0 unit:failed:3 release:skipped:null" "$(steps_of "$job")" "steps of a failed job"
assert_exit 0 cz job show "$job" --json
assert_eq "failed $c1" "$(jq -r '.job | "\(.state) \(.commit.sha)"' <<<"$OUT")" "state of a failed job"
assert_contains "$(jq -r .job.message <<<"$OUT")" "unit" "message of a failed job"
assert_eq failed "$(cat "$(job_dir "$job")/state")" "state file of a failed job"
assert_exit 0 cz job logs "$job" unit
assert_contains "$OUT" $'unit line 1\n'
assert_contains "$OUT" $'unit line 2\n'
assert_not_contains "$OUT" "never printed" "a script goes on after a failing line"
[ ! -e "$(job_dir "$job")/logs/release.log" ] || fail "the release of a failed job has a log"
assert_eq "" "$(job_containers "$job")" "step containers after a failed job"

# The same with --json: the record of the failed job on stdout.
assert_exit 1 cz pipeline run "$T/fail.yaml" "$inst" --repo "$remote" --ref main --json
assert_eq "failed unit:failed release:skipped" \
  "$(jq -r '.job | "\(.state) \([.steps[1:][] | "\(.name):\(.state)"] | join(" "))"' <<<"$OUT")" "a failed job in --json"

# --- pipeline validate -----------------------------------------------------------
cat >"$T/good.yml" <<'EOF'
build:
  image: local/busybox:1
  cmds: [make]
tasks:
  lint: {image: local/busybox:1, cmds: [make lint]}
release:
  deploy: true
EOF
assert_exit 0 calzion pipeline validate "$T/good.yml"
assert_eq "$T/good.yml: the pipeline is valid" "$OUT" "validate of a valid pipeline file"
assert_exit 0 calzion pipeline validate "$T/fail.yaml"
assert_eq "$T/fail.yaml: the pipeline is valid" "$OUT" "validate of a template with a valid pipeline"

# Three problems, all reported at once, each where it is written.
cat >"$T/bad.yml" <<'EOF'
build:
  imgae: local/busybox:1
  cmds: [make]
tasks:
  unit:
    image: local/busybox:1
    cmd: ["true"]
    cmds: [make unit]
release:
  image: local/busybox:1
  deploy: true
EOF
assert_exit 65 calzion pipeline validate "$T/bad.yml"
assert_eq "" "$OUT" "stdout of an invalid pipeline"
assert_contains "$ERR" "calzion: error: $T/bad.yml:1:1: \"build\" has no \"image\": a step runs in a container of its image"
assert_contains "$ERR" "calzion: error: $T/bad.yml:2:3: unknown key \"imgae\" in \"build\", did you mean \"image\"?"
assert_contains "$ERR" "calzion: error: $T/bad.yml:7:5: \"cmd\" in task \"unit\" cannot be given with \"cmds\""
assert_contains "$ERR" "calzion: error: $T/bad.yml:11:3: \"deploy\" in \"release\" cannot be given with \"image\""
assert_contains "$ERR" $'\n 2 |   imgae: local/busybox:1\n   |   ^\n' "the line and a caret"
assert_contains "$ERR" "calzion: 4 problems found"

# In a template, the lines are the template's.
cat >"$T/badtmpl.yaml" <<'EOF'
services:
  idle: {image: local/busybox:1, cmd: sleep 3600}
pipeline:
  build:
    image: local/busybox:1
    cmds: [make]
  tasks:
    unit:
      cmds: [make unit]
EOF
assert_exit 65 calzion pipeline validate "$T/badtmpl.yaml"
assert_contains "$ERR" "calzion: error: $T/badtmpl.yaml:8:5: task \"unit\" has no \"image\""
# A job of an invalid pipeline never starts.
assert_exit 65 cz pipeline run "$T/badtmpl.yaml" "$inst" --repo "$remote" --ref main
assert_contains "$ERR" "calzion: error: $T/badtmpl.yaml:8:5: task \"unit\" has no \"image\""

# --- kill -9 of calzion in the middle of a step --------------------------------
cat >"$T/slow.yaml" <<'EOF'
services:
  idle: {image: local/busybox:1, cmd: sleep 3600}
pipeline:
  build:
    image: local/busybox:1
    cmds: [echo started, sleep 60]
  release:
    image: local/busybox:1
    cmds: [echo released]
EOF
"$CALZION_BIN" --ssh-config "$CZ_SSH_CONFIG" --host host1 pipeline run "$T/slow.yaml" "$inst" \
  --repo "$remote" --ref main >"$T/bg.out" 2>"$T/bg.err" &
bg=$!
wait_step "$inst" build
killed=$job
# The record names its worker (the lock holder on the host) from the start.
worker=$(jq -r .worker.pid "$(job_dir "$killed")/job.json")
[ "$worker" -gt 0 ] || fail "no worker pid in the record of a running job"
assert_exit 0 cz jobs "$inst" --json
assert_eq running "$(jq -r --arg id "$killed" '.jobs[] | select(.id == $id) | .state' <<<"$OUT")" "a running job in jobs"
disown "$bg" # no "Killed" report from bash
kill -KILL "$bg"
bg=
# The worker dies with calzion's connection (the hosts share this machine's
# process table).
wait_for 30 test ! -d "/proc/$worker"
assert_eq "calzion-job-$inst-${killed##*.}-build" "$(job_containers "$killed")" "the step container outlives a killed calzion"
assert_exit 0 cz jobs "$inst" --json
assert_eq "error" "$(jq -r --arg id "$killed" '.jobs[] | select(.id == $id) | .state' <<<"$OUT")" "a killed job in jobs"
assert_contains "$(jq -r --arg id "$killed" '.jobs[] | select(.id == $id) | .message' <<<"$OUT")" "worker" "message of a killed job"
assert_eq "" "$(job_containers "$killed")" "step containers after jobs saw a killed job"
steps=$(cz job show "$killed" --json | jq -r '[.job.steps[] | "\(.name):\(.state)"] | join(" ")')
assert_contains "$steps" "build:error" "the killed step"
assert_not_contains "$steps" "release:succeeded" "the release of a killed job"
assert_not_contains "$steps" "release:running" "the release of a killed job"
assert_eq error "$(cat "$(job_dir "$killed")/state")" "state file of a killed job"
assert_exit 0 cz job logs "$killed" build
assert_contains "$OUT" "started" "the log of a killed step"

# --- job cancel of two tasks running side by side; keep: 2 ---------------------
# keep: 2 prunes the older finished jobs when this one begins: the two failed
# ones go, the killed one stays.
cat >"$T/tasks.yaml" <<'EOF'
services:
  idle: {image: local/busybox:1, cmd: sleep 3600}
pipeline:
  keep: 2
  tasks:
    one: {image: local/busybox:1, cmds: [echo one, sleep 60]}
    two: {image: local/busybox:1, cmds: [echo two, sleep 60]}
  release:
    image: local/busybox:1
    cmds: [echo released]
EOF
"$CALZION_BIN" --ssh-config "$CZ_SSH_CONFIG" --host host1 pipeline run "$T/tasks.yaml" "$inst" \
  --repo "$remote" --ref main >"$T/bg.out" 2>"$T/bg.err" &
bg=$!
# Both tasks run at once.
wait_step "$inst" one
wait_step "$inst" two
[ "$job" != "$killed" ] || fail "a new job got the killed job's id $job"
assert_exit 0 cz jobs "$inst" --json
assert_eq "$killed $job" "$(jq -r '[.jobs[].id] | join(" ")' <<<"$OUT")" "jobs kept with keep: 2"
assert_exit 0 cz job cancel "$job" --json
assert_eq "host1 $job canceled" "$(jq -r '"\(.host) \(.job.id) \(.job.state)"' <<<"$OUT")" "job cancel --json"
status=0
wait "$bg" || status=$?
bg=
[ "$status" != 0 ] || fail "a canceled job's pipeline run exited 0: $(cat "$T/bg.err")"
assert_contains "$(cat "$T/bg.err")" "canceled" "pipeline run of a canceled job"
assert_not_contains "$(cat "$T/bg.err")" "released"
assert_exit 0 cz job show "$job" --json
assert_eq "canceled one:canceled two:canceled" \
  "$(jq -r '.job | "\(.state) \([.steps[0,1] | "\(.name):\(.state)"] | join(" "))"' <<<"$OUT")" "a canceled job"
assert_eq false "$(jq '.job.steps[2].state == "succeeded"' <<<"$OUT")" "the release of a canceled job"
assert_eq "" "$(job_containers "$job")" "step containers after a cancel"
[ ! -e "$(job_dir "$job")/logs/release.log" ] || fail "the release of a canceled job has a log"
