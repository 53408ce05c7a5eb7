#!/usr/bin/env bash
# `calzion pipeline run` as a user checks it: the build's artifacts reach the
# release container (read-only, without the source), every step gets the job's
# environment (CI=true, CALZION_* and the step's own env taken as written),
# build and tasks get a checkout of the commit (not the working tree), `cp
# dist/* "$ARTIFACTS_DIR"` copies every file, a hostile command line and a
# `cmd:` argv arrive exactly, --ref is resolved once (a branch that moves
# during the job does not move the job), and the job is recorded on the host
# as --json, `job show`, `jobs` and `job logs` say, with no step container
# left behind.
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
# shellcheck source=lib/pipeline.sh
. "$(dirname "$0")/lib/pipeline.sh"
need_hosts 2
need_jq
instance_on_host1
on_exit rm -rf "$idir/jobs"

git_remote
# The template lives in the repository: the job's repository defaults to it.
cat >"$work/app.yaml" <<'EOF'
services:
  idle:
    image: local/busybox:1
    cmd: sleep 3600
pipeline:
  build:
    image: local/busybox:1
    env:
      GREETING: "hello $(not expanded) `nor this` $HOME"
    pre:
      - mkdir -p dist
      - echo "built from $CALZION_COMMIT_SHA" > dist/version.txt
    cmds:
      - printf '[%s]' "a  b" 'c"d' "$(echo sub)" `echo tick`; echo
      - |
        for word in one two; do
          echo "loop $word"
        done
      - printf '%s\n' "CI=$CI" "JOB=$CALZION_JOB_ID" "SHA=$CALZION_COMMIT_SHA" "REF=$CALZION_COMMIT_REF" "STEP=$CALZION_STEP" "BUILD_DIR=$BUILD_DIR" "ARTIFACTS_DIR=$ARTIFACTS_DIR" "PWD=$PWD" "GREETING=$GREETING" > "$ARTIFACTS_DIR/build-env.txt"
    post:
      - cp dist/* "$ARTIFACTS_DIR"
      - test ! -e /var/run/docker.sock && echo "no docker socket"
  tasks:
    checkout:
      image: local/busybox:1
      cmds:
        - cat committed.txt
        - test ! -e uncommitted.txt && echo "no uncommitted.txt"
        - echo "ARTIFACTS_DIR=${ARTIFACTS_DIR-unset} STEP=$CALZION_STEP CI=$CI PWD=$PWD"
        - test ! -e /calzion/artifacts && echo "no artifacts mount"
    argv:
      image: local/busybox:1
      cmd: [printf, "%s\n", "$(rm -rf /)", "'; reboot", "$HOME", "a  b", "*", "`echo tick`"]
  release:
    image: local/busybox:1
    env: {CHANNEL: stable}
    cmds:
      - cat "$ARTIFACTS_DIR/version.txt"
      - ls "$ARTIFACTS_DIR"
      - echo "CHANNEL=$CHANNEL STEP=$CALZION_STEP BUILD_DIR=${BUILD_DIR-unset}"
      - test ! -e /calzion/build && echo "no source"
      - if touch "$ARTIFACTS_DIR/x" 2>/dev/null; then echo "artifacts writable"; else echo "artifacts read-only"; fi
EOF
mkdir -p "$work/dist"
echo "version one" >"$work/committed.txt"
echo "first file" >"$work/dist/one.txt"
echo "second file" >"$work/dist/two words.txt"
git_ add -A
git_ commit -qm "the first commit"
git_ push -q origin main
c1=$(git_ rev-parse main)
# Not committed: no step may see it.
echo "draft" >"$work/uncommitted.txt"

# --- a job from the template's own repository, --ref a branch ----------------
assert_exit 0 cz pipeline run "$work/app.yaml" "$inst" --ref main --json
assert_eq 1 "$(jq -s length <<<"$OUT")" "JSON documents on stdout"
assert_eq host1 "$(jq -r .host <<<"$OUT")" "host in --json"
job=$(jq_job .id)
[[ $job =~ ^$inst\.[0-9]+$ ]] || fail "job id: $job"
n=${job##*.}
assert_eq "1 $inst $n succeeded" "$(jq_job '[.format, .instance, .number, .state] | join(" ")')" "job in --json"
assert_eq "$c1|main|$work|the first commit" "$(jq_job '.commit | [.sha, .ref, .repo, .message] | join("|")')" "commit in --json"
assert_eq "build:build:local/busybox:1:succeeded:0:logs/build.log checkout:task:local/busybox:1:succeeded:0:logs/checkout.log argv:task:local/busybox:1:succeeded:0:logs/argv.log release:release:local/busybox:1:succeeded:0:logs/release.log" \
  "$(jq_job '[.steps[] | [.name, .kind, .image, .state, .exit_code, .log] | map(tostring) | join(":")] | join(" ")')" "steps in --json"
assert_eq "host1 $(hostname) $(id -un)" "$(jq_job '.worker | [.host, .machine, .user] | join(" ")')" "worker in --json"
assert_eq true "$(jq_job '.worker.pid > 0 and .worker.calzion_pid > 0')" "worker pids in --json"
assert_eq null "$(jq_job .revision)" "revision of a job without a deploy"
assert_contains "$(jq_job .pipeline)" "app.yaml" "where the pipeline was read"
for t in created started finished; do
  [[ $(jq_job ".$t") =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}(\.[0-9]+)?Z$ ]] || fail "$t in --json: $(jq_job ".$t")"
done
[[ $(jq_job '.steps[0].started') =~ ^[0-9]{4}- ]] || fail "no start time for the build step"
record=$OUT
# Off a terminal, progress is plain lines, the steps' output prefixed.
assert_contains "$ERR" "host1: job $job: ${c1:0:12} (main)"
assert_contains "$ERR" $'\nhost1 argv: $(rm -rf /)\n'
assert_contains "$ERR" $'\nhost1 build: succeeded\n'
assert_contains "$ERR" $'\nhost1 release: succeeded'

# The record on the host is the one printed; so is `job show --json`.
jdir=$(job_dir "$job")
assert_eq "$(jq -S .job <<<"$record")" "$(jq -S . "$jdir/job.json")" "job.json on the host"
assert_eq succeeded "$(cat "$jdir/state")" "state file on the host"
assert_eq "argv.log build.log checkout.log release.log" "$(ls "$jdir/logs" | tr '\n' ' ' | sed 's/ $//')" "log files"
assert_exit 0 cz job show "$job" --json
assert_eq host1 "$(jq -r .host <<<"$OUT")" "host in job show --json"
assert_eq "$(jq -S .job <<<"$record")" "$(jq -S .job <<<"$OUT")" "job show --json"
assert_exit 0 cz job show "$job"
assert_contains "$OUT$ERR" "$job"
assert_contains "$OUT$ERR" "$c1"
assert_exit 0 cz jobs "$inst" --json
assert_eq "$job host1 succeeded $c1" "$(jq -r '.jobs[] | [.id, .host, .state, .commit.sha] | join(" ")' <<<"$OUT")" "jobs --json"
assert_exit 0 cz jobs "$inst"
assert_contains "$OUT" "$job"
assert_contains "$OUT" "succeeded"

# No step container is left.
assert_eq "" "$(job_containers "$job")" "step containers after the job"

# --- what each step saw -------------------------------------------------------
# The build: the job's environment, its own env as written, the checkout as
# working directory; `cp dist/*` copied the three files, one with a space.
assert_eq "CI=true
JOB=$job
SHA=$c1
REF=main
STEP=build
BUILD_DIR=/calzion/build
ARTIFACTS_DIR=/calzion/artifacts
PWD=/calzion/build
GREETING=hello \$(not expanded) \`nor this\` \$HOME" "$(cat "$jdir/artifacts/build-env.txt")" "environment of the build"
assert_eq "build-env.txt|one.txt|two words.txt|version.txt" "$(ls -A "$jdir/artifacts" | tr '\n' '|' | sed 's/|$//')" "artifacts"
assert_eq "second file" "$(cat "$jdir/artifacts/two words.txt")" "an artifact with a space in its name"
assert_eq "built from $c1" "$(cat "$jdir/artifacts/version.txt")" "the artifact the build wrote"

# The build's log: every line echoed as written, then its output exactly.
assert_exit 0 cz job logs "$job" build
build_log=$OUT
# shellcheck disable=SC2016
assert_contains "$build_log" '$ printf '\''[%s]'\'' "a  b" '\''c"d'\'' "$(echo sub)" `echo tick`; echo'$'\n''[a  b][c"d][sub][tick]'$'\n' \
  "a hostile command line, echoed and run exactly"
assert_contains "$build_log" $'\nloop one\nloop two\n' "a command line with newlines"
# shellcheck disable=SC2016
assert_contains "$build_log" '$ cp dist/* "$ARTIFACTS_DIR"' "the glob line, echoed as written"
# The docker socket only where a step asks for it (docker: true, below).
assert_contains "$build_log" $'\nno docker socket' "the build without docker: true"

# A task: the commit's checkout, without the uncommitted file and without
# artifacts.
assert_exit 0 cz job logs "$job" checkout
# shellcheck disable=SC2016
assert_eq '$ cat committed.txt
version one
$ test ! -e uncommitted.txt && echo "no uncommitted.txt"
no uncommitted.txt
$ echo "ARTIFACTS_DIR=${ARTIFACTS_DIR-unset} STEP=$CALZION_STEP CI=$CI PWD=$PWD"
ARTIFACTS_DIR=unset STEP=checkout CI=true PWD=/calzion/build
$ test ! -e /calzion/artifacts && echo "no artifacts mount"
no artifacts mount' "$OUT" "log of the checkout task"

# `cmd:` is an argv: no shell ever sees it.
assert_exit 0 cz job logs "$job" argv
# shellcheck disable=SC2016
assert_eq '$(rm -rf /)
'\''; reboot
$HOME
a  b
*
`echo tick`' "$OUT" "log of the cmd: task"

# The release: the build's artifacts, read-only, no source.
assert_exit 0 cz job logs "$job" release
# shellcheck disable=SC2016
assert_eq '$ cat "$ARTIFACTS_DIR/version.txt"
built from '"$c1"'
$ ls "$ARTIFACTS_DIR"
build-env.txt
one.txt
two words.txt
version.txt
$ echo "CHANNEL=$CHANNEL STEP=$CALZION_STEP BUILD_DIR=${BUILD_DIR-unset}"
CHANNEL=stable STEP=release BUILD_DIR=unset
$ test ! -e /calzion/build && echo "no source"
no source
$ if touch "$ARTIFACTS_DIR/x" 2>/dev/null; then echo "artifacts writable"; else echo "artifacts read-only"; fi
artifacts read-only' "$OUT" "log of the release"

# Every step's log, each after a header, in the record's order.
assert_exit 0 cz job logs "$job"
assert_eq "==> build <==|==> checkout <==|==> argv <==|==> release <==" \
  "$(grep '^==> ' <<<"$OUT" | tr '\n' '|' | sed 's/|$//')" "headers of job logs"
assert_contains "$OUT" "no artifacts mount"
assert_contains "$OUT" "artifacts read-only"

# --- --repo URL, --ref resolved once: the branch moves during the job ---------
# The build waits for a file the test drops into the job's artifacts; in the
# meantime main gets a new commit. Everything in the job keeps the first.
cat >"$T/wait.yaml" <<'EOF'
services:
  idle: {image: local/busybox:1, cmd: sleep 3600}
pipeline:
  build:
    image: local/busybox:1
    cmds:
      - i=0; until test -e "$ARTIFACTS_DIR/go"; do i=$((i+1)); test $i -lt 600 || exit 9; sleep 0.1; done
      - cat committed.txt > "$ARTIFACTS_DIR/seen.txt"
  release:
    image: local/busybox:1
    cmds:
      - cat "$ARTIFACTS_DIR/seen.txt"
      - echo "SHA=$CALZION_COMMIT_SHA REF=$CALZION_COMMIT_REF"
EOF
"$CALZION_BIN" --ssh-config "$CZ_SSH_CONFIG" --host host1 pipeline run "$T/wait.yaml" "$inst" \
  --repo "file://$remote" --ref main --json >"$T/bg.out" 2>"$T/bg.err" &
bg=$!
stop_bg() { kill "$bg" 2>/dev/null || true; }
on_exit stop_bg
wait_step "$inst" build
[ "$job" != "${inst}.$n" ] || fail "the second job has the first job's id $job"
# job logs -f follows the running step and ends with the job.
"$CALZION_BIN" --ssh-config "$CZ_SSH_CONFIG" --host host1 job logs "$job" build -f >"$T/follow.out" 2>"$T/follow.err" &
follow=$!
stop_follow() { kill "$follow" 2>/dev/null || true; }
on_exit stop_follow
echo "version two" >"$work/committed.txt"
git_ commit -qam "the second commit"
git_ push -q origin main
c2=$(git_ rev-parse main)
[ "$c2" != "$c1" ] || fail "no new commit"
touch "$(job_dir "$job")/artifacts/go"
status=0
wait "$bg" || status=$?
assert_eq 0 "$status" "the job of a moving branch: $(cat "$T/bg.err")"
follow_ended() { ! kill -0 "$follow" 2>/dev/null; }
wait_for 30 follow_ended
status=0
wait "$follow" || status=$?
assert_eq 0 "$status" "job logs -f: $(cat "$T/follow.err")"
# shellcheck disable=SC2016
assert_contains "$(cat "$T/follow.out")" '$ cat committed.txt > "$ARTIFACTS_DIR/seen.txt"' "job logs -f to the end of the step"
OUT=$(cat "$T/bg.out")
assert_eq "$job succeeded $c1 main file://$remote" \
  "$(jq_job '[.id, .state, .commit.sha, .commit.ref, .commit.repo] | join(" ")')" "job of a moving branch"
assert_exit 0 cz job logs "$job" release
# shellcheck disable=SC2016
assert_eq '$ cat "$ARTIFACTS_DIR/seen.txt"
version one
$ echo "SHA=$CALZION_COMMIT_SHA REF=$CALZION_COMMIT_REF"
SHA='"$c1"' REF=main' "$OUT" "release of a moving branch"
assert_eq "" "$(job_containers "$job")" "step containers after the second job"

# jobs lists both, oldest first.
assert_exit 0 cz jobs "$inst" --json
assert_eq "${inst}.$n $job" "$(jq -r '[.jobs[].id] | join(" ")' <<<"$OUT")" "jobs after two runs"

# --- a ref that does not exist: refused, no job ---------------------------------
status=0
cz pipeline run "$work/app.yaml" "$inst" --ref no-such-branch >"$T/out" 2>"$T/err" || status=$?
[ "$status" != 0 ] || fail "a job of a ref that does not exist succeeded"
assert_contains "$(cat "$T/err")" "no-such-branch" "error of an unknown ref"
assert_exit 0 cz jobs "$inst" --json
assert_eq 2 "$(jq '.jobs | length' <<<"$OUT")" "jobs after an unknown ref"

# --- where a job runs: the instance's builder host, else its first --------------
mkdir -p "$T/infra"
cat >"$T/infra/app.yaml" <<'EOF'
services:
  idle: {image: local/busybox:1, cmd: sleep 3600}
pipeline:
  build:
    image: local/busybox:1
    cmds: [echo "built on the builder"]
EOF
cat >"$T/infra/calzion.infra.yaml" <<EOF
hosts:
  alpha: host1
  beta: host2
instances:
  $inst-b: {hosts: [alpha, beta], builder: beta}
  $inst-f: {hosts: [alpha, beta]}
EOF
on_exit rm -rf "$CZ_HOST1_STATE/instances/$inst-f" "$CZ_HOST2_STATE/instances/$inst-b"
czi() { calzion --ssh-config "$CZ_SSH_CONFIG" "$@"; }
assert_exit 0 czi pipeline run "$T/infra/app.yaml" "$inst-b" --repo "$remote" --ref main --json
assert_eq "beta beta succeeded" "$(jq -r '"\(.host) \(.job.worker.host) \(.job.state)"' <<<"$OUT")" "a job on the builder"
number=$(jq_job .number)
assert_eq succeeded "$(cat "$CZ_HOST2_STATE/instances/$inst-b/jobs/$number/state")" "the job's record on the builder"
[ ! -e "$CZ_HOST1_STATE/instances/$inst-b/jobs" ] || fail "a job of $inst-b recorded on host1"
assert_exit 0 czi --infra "$T/infra/calzion.infra.yaml" jobs "$inst-b" --json
assert_eq "$inst-b.$number beta" "$(jq -r '.jobs[] | "\(.id) \(.host)"' <<<"$OUT")" "jobs of the builder"
assert_exit 0 czi pipeline run "$T/infra/app.yaml" "$inst-f" --repo "$remote" --ref main --json
assert_eq "alpha succeeded" "$(jq -r '"\(.host) \(.job.state)"' <<<"$OUT")" "a job without a builder: the first host"

# --- docker: true: the host's docker socket, the one its docker client uses --
# (on the test hosts, DOCKER_HOST names a socket of their own engine).
cat >"$T/sock.yaml" <<'EOF'
services:
  idle: {image: local/busybox:1, cmd: sleep 3600}
pipeline:
  build:
    image: local/busybox:1
    docker: true
    cmds: [test -S /var/run/docker.sock && echo "docker socket"]
EOF
assert_exit 0 cz pipeline run "$T/sock.yaml" "$inst" --ref main --repo "$remote" --json
job=$(jq_job .id)
assert_exit 0 cz job logs "$job" build
assert_contains "$OUT" $'\ndocker socket' "a step with docker: true"
