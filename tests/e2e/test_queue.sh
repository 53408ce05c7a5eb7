#!/usr/bin/env bash
# The job queue on a real host, from a bare repository: releases queued behind a
# busy worker are coalesced (the newest deploys, the older ones are recorded
# `superseded` by it after their build and task passed); two `pipeline work`
# started at once run each job exactly once, the second leaving the queue to
# the first; a worker killed with -9 mid-job leaves a job that the next worker
# marks `error`, its containers removed, before it runs what is queued.
#
# A worker is kept busy without sleeping for a time: the build of a commit that
# has a file `hold` waits until the test creates `go` in the job's artifacts
# directory on the host.
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
# shellcheck source=lib/pipeline.sh
. "$(dirname "$0")/lib/pipeline.sh"
need_hosts 1
need_jq

# Registered first, so that it runs last, once the instances are gone.
on_exit remove_built_images
instance_on_host1
on_exit rm -rf "$idir"
# The instances of the second and third parts.
two=$E2E_NAME-two
killed_inst=$E2E_NAME-kill
for i in "$two" "$killed_inst"; do
  on_exit rm -rf "$CZ_HOST1_STATE/instances/$i"
  on_exit cz destroy --volumes --missing-ok "$i" --lock-timeout 30s
done
# On failure, background workers may still run: stop them first.
bgs=()
stop_bgs() {
  local p
  for p in "${bgs[@]}"; do kill "$p" 2>/dev/null || true; done
}
on_exit stop_bgs

git_remote
web_app
# The template lives outside the repository: `git: .` is the top of the
# repository given with --repo, at the job's commit.
cat >"$T/app.yaml" <<'EOF'
services:
  web:
    git: .
pipeline:
  build:
    image: local/busybox:1
    cmds:
      - 'if [ -e hold ]; then until [ -e "$ARTIFACTS_DIR/go" ]; do sleep 0.2; done; fi'
      - 'cp www/index.html "$ARTIFACTS_DIR/"'
  tasks:
    check:
      image: local/busybox:1
      cmds: [grep version www/index.html]
  release:
    image: local/busybox:1
    cmds: ['echo "released $CALZION_JOB_ID"']
EOF
# enqueue INSTANCE [ARGS...]: queue a job of main's commit; prints its id.
enqueue() {
  local i=$1
  shift
  cz pipeline enqueue "$T/app.yaml" "$i" --repo "$remote" --ref main "$@"
}
# worker N INSTANCE [ARGS...]: `pipeline work --once` of INSTANCE in the
# background, output in $T/workN.{out,err}; its pid is appended to bgs.
worker() {
  local n=$1 i=$2
  shift 2
  "$CALZION_BIN" --ssh-config "$CZ_SSH_CONFIG" --host host1 pipeline work "$i" --once "$@" \
    >"$T/work$n.out" 2>"$T/work$n.err" &
  bgs+=($!)
}
# wait_worker N PID: wait for background worker N; it must exit 0.
wait_worker() {
  local status=0
  wait "$2" || status=$?
  [ "$status" = 0 ] || fail "worker $1 exited $status"$'\n'"$(cat "$T/work$1.err")"
}
# release ID: let the held build of job ID finish.
release() {
  touch "$(job_dir "$1")/artifacts/go"
}
# record ID: job ID's record, from job show --json.
record() {
  cz job show "$1" --json | jq -c .job
}
steps_of() {
  jq -r '[.steps[] | "\(.name):\(.state)"] | join(" ")' <<<"$1"
}

# --- three releases queued behind a busy worker: only the newest deploys ------
c1=$(commit "version one" hold)
assert_exit 0 enqueue "$inst" --deploy
j1=$OUT
assert_eq "$inst.1" "$j1" "id printed by pipeline enqueue"
assert_eq queued "$(jq -r .state "$(job_dir "$j1")/job.json")" "state of a job just queued"
worker 1 "$inst"
wait_step "$inst" build
assert_eq "$j1" "$job" "the job the worker runs"
c2=$(commit "version two")
assert_exit 0 enqueue "$inst" --deploy
j2=$OUT
c3=$(commit "version three")
assert_exit 0 enqueue "$inst" --deploy --json
j3=$(jq_job .id)
assert_eq "host1 queued $c3 main true" "$(jq -r '"\(.host) \(.job.state) \(.job.commit.sha) \(.job.commit.ref) \(.job.ship)"' <<<"$OUT")" \
  "pipeline enqueue --json"
c4=$(commit "version four")
assert_exit 0 enqueue "$inst" --deploy
j4=$OUT
assert_eq "$inst.2 $inst.3 $inst.4" "$j2 $j3 $j4" "ids of the queued jobs"
assert_exit 0 cz jobs "$inst" --json
assert_eq "running queued queued queued" "$(jq -r '[.jobs[].state] | join(" ")' <<<"$OUT")" "states behind the busy worker"
release "$j1"
wait_worker 1 "${bgs[-1]}"

# Every build and task ran, in order of arrival; only the newest released.
while read -r j c; do
  r=$(record "$j")
  assert_eq "superseded $j4 $c" "$(jq -r '"\(.state) \(.superseded_by) \(.commit.sha)"' <<<"$r")" "job $j"
  assert_eq "build:succeeded check:succeeded release:skipped" "$(steps_of "$r")" "steps of job $j"
  assert_eq null "$(jq -r .revision <<<"$r")" "revision of job $j"
done <<<"$j1 $c1
$j2 $c2
$j3 $c3"
r=$(record "$j4")
assert_eq "succeeded $c4 1" "$(jq -r '"\(.state) \(.commit.sha) \(.revision)"' <<<"$r")" "the newest job"
assert_eq "build:succeeded check:succeeded release:succeeded" "$(steps_of "$r")" "steps of the newest job"
assert_eq "" "$(jq -r '.superseded_by // ""' <<<"$r")" "superseded_by of the newest job"
# In order of arrival: each job started after the one before it finished.
while read -r a b; do
  before=$(record "$a" | jq -r .finished)
  after=$(record "$b" | jq -r .started)
  [[ ! $after < $before ]] || fail "job $b started ($after) before job $a finished ($before)"
done <<<"$j1 $j2
$j2 $j3
$j3 $j4"
assert_eq "${inst}_web:${c4:0:12}" "$(host_docker 1 inspect -f '{{.Config.Image}}' "${inst}_web")" "image of web"
assert_eq "version four" "$(host_docker 1 exec "${inst}_web" wget -qO- http://127.0.0.1:8080/)" "page served"
assert_exit 0 cz --json history "$inst"
assert_eq "1 succeeded $c4" "$(jq -r '[.hosts[0].revisions[] | "\(.revision) \(.status) \(.git_commit)"] | join(",")' <<<"$OUT")" \
  "revisions: one deploy, of the newest commit"
assert_contains "$(cat "$T/work1.err")" "superseded by job $j4" "the worker's progress"
for j in "$j1" "$j2" "$j3" "$j4"; do
  assert_eq "" "$(job_containers "$j")" "step containers of $j after the worker"
done

# --- two workers at once, --no-coalesce: each job runs exactly once ----------
c5=$(commit "version five" hold)
assert_exit 0 enqueue "$two"
k1=$OUT
c6=$(commit "version six")
assert_exit 0 enqueue "$two"
k2=$OUT
worker 2 "$two" --no-coalesce
w2=${bgs[-1]}
worker 3 "$two" --no-coalesce
w3=${bgs[-1]}
# One of them holds the queue, busy on the held build; the other leaves.
held_note() { grep -q "is worked by" "$T/work2.err" "$T/work3.err"; }
wait_for 60 held_note
wait_step "$two" build
assert_eq "$k1" "$job" "the job the first worker runs"
release "$k1"
wait_worker 2 "$w2"
wait_worker 3 "$w3"
notes=$(cat "$T/work2.err" "$T/work3.err" | grep -c "the queue of instance \"$two\" is worked by" || true)
assert_eq 1 "$notes" "notes of a held queue"
assert_exit 0 cz jobs "$two" --json
assert_eq "$k1:succeeded $k2:succeeded" "$(jq -r '[.jobs[] | "\(.id):\(.state)"] | join(" ")' <<<"$OUT")" \
  "jobs of two workers, --no-coalesce"
for j in "$k1" "$k2"; do
  assert_eq "build:succeeded check:succeeded release:succeeded" "$(steps_of "$(record "$j")")" "steps of $j"
  assert_exit 0 cz job logs "$j" release
  assert_eq 1 "$(grep -cx "released $j" <<<"$OUT" || true)" "releases of $j in its log"
  assert_exit 0 cz job logs "$j" build
  assert_eq 1 "$(grep -cx "\$ cp www/index.html \"\$ARTIFACTS_DIR/\"" <<<"$OUT" || true)" "builds of $j in its log"
done
assert_eq "$c5 $c6" "$(record "$k1" | jq -r .commit.sha) $(record "$k2" | jq -r .commit.sha)" "commits of the two jobs"

# --- kill -9 of the worker mid-job ---------------------------------------------
commit "version seven" hold >/dev/null
assert_exit 0 enqueue "$killed_inst"
m1=$OUT
c8=$(commit "version eight")
assert_exit 0 enqueue "$killed_inst"
m2=$OUT
worker 4 "$killed_inst"
w4=${bgs[-1]}
wait_step "$killed_inst" build
assert_eq "$m1" "$job" "the job the killed worker runs"
pid=$(jq -r .worker.pid "$(job_dir "$m1")/job.json")
[ "$pid" -gt 0 ] || fail "no worker pid in the record of a running job"
disown "$w4" # no "Killed" report from bash
kill -KILL "$w4"
# The worker on the host dies with calzion's connection.
wait_for 30 test ! -d "/proc/$pid"
assert_eq "calzion-job-$killed_inst-${m1##*.}-build" "$(job_containers "$m1")" "the step container outlives a killed worker"
assert_eq queued "$(jq -r .state "$(job_dir "$m2")/job.json")" "the job queued behind the killed one"
assert_exit 0 cz pipeline work "$killed_inst" --once
r=$(record "$m1")
assert_eq error "$(jq -r .state <<<"$r")" "state of the killed job"
assert_contains "$(jq -r .message <<<"$r")" "worker is gone" "message of the killed job"
assert_contains "$(steps_of "$r")" "build:error" "the killed step"
assert_eq "" "$(job_containers "$m1")" "step containers of the killed job"
r=$(record "$m2")
assert_eq "succeeded $c8" "$(jq -r '"\(.state) \(.commit.sha)"' <<<"$r")" "the job queued behind the killed one"
assert_eq "build:succeeded check:succeeded release:succeeded" "$(steps_of "$r")" "steps of the job queued behind the killed one"
assert_eq "" "$(job_containers "$m2")" "step containers of the job queued behind the killed one"
