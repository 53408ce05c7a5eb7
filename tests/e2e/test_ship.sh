#!/usr/bin/env bash
# `calzion ship` as cron runs it, from a bare repository, on a real host:
# --if-changed ships a new commit and does nothing (no job, exit 0) for the one
# deployed; a failing commit exits 1 and is not tried again until
# --retry-failed or a new commit; ship exits 75 when another worker holds the
# instance's queue, which then runs the job ship queued; --notify sees every
# state of a ship job in order; a pull request's ref ships to a preview
# instance (--instance-suffix), which destroy removes.
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
preview=$inst-pr-7
on_exit rm -rf "$CZ_HOST1_STATE/instances/$preview"
on_exit cz destroy --volumes --missing-ok "$preview" --lock-timeout 30s
# On failure, a background worker may still run: stop it first.
bg=
stop_bg() { if [ -n "$bg" ]; then kill "$bg" 2>/dev/null || true; fi; }
on_exit stop_bg

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
    cmds: ['if [ -e hold ]; then until [ -e "$ARTIFACTS_DIR/go" ]; do sleep 0.2; done; fi']
  tasks:
    check:
      image: local/busybox:1
      cmds: [grep version www/index.html]
  release: {deploy: true}
EOF
ship() {
  cz ship "$T/app.yaml" "$inst" --repo "$remote" --ref main "$@"
}
jobs_count() {
  cz jobs "$inst" --json | jq '.jobs | length'
}
# shipped FILTER: FILTER applied to the `ship --json` result in $OUT, raw.
shipped() {
  jq -r "$1" <<<"$OUT"
}
image_of() {
  host_docker 1 inspect -f '{{.Config.Image}}' "${1}_web"
}
page_of() {
  host_docker 1 exec "${1}_web" wget -qO- http://127.0.0.1:8080/
}

# --- --if-changed: a new commit ships, the same one does not ------------------
c1=$(commit "version one")
assert_exit 0 ship --if-changed --json
assert_eq "true null $inst.1 succeeded $c1 true 1" \
  "$(shipped '"\(.shipped) \(.reason) \(.job.id) \(.job.state) \(.job.commit.sha) \(.job.ship) \(.job.revision)"')" "ship of a new commit"
assert_eq "host1 $inst $inst.1" "$(shipped '"\(.host) \(.instance) \([.ran[].id] | join(","))"')" "ship --json: host, instance, jobs run"
assert_eq "build:succeeded check:succeeded release:succeeded" \
  "$(shipped '[.job.steps[] | "\(.name):\(.state)"] | join(" ")')" "steps of a ship job"
assert_eq "${inst}_web:${c1:0:12}" "$(image_of "$inst")" "image of web"
assert_eq "version one" "$(page_of "$inst")" "page served"

assert_exit 0 ship --if-changed --json
assert_eq "false null" "$(shipped '"\(.shipped) \(.job)"')" "ship --if-changed of the deployed commit"
assert_contains "$(shipped .reason)" "commit ${c1:0:12} is deployed already" "why nothing shipped"
assert_eq 1 "$(jobs_count)" "jobs after a ship with nothing to do"
assert_exit 0 ship --if-changed
assert_contains "$ERR" "nothing to ship: commit ${c1:0:12} is deployed already"
assert_eq 1 "$(jobs_count)" "jobs after a second ship with nothing to do"

# --- a failing commit is not retried, unless --retry-failed -------------------
c2=$(commit "no marker")
assert_exit 1 ship --if-changed
assert_contains "$ERR" "step \"check\" failed with exit status 1"
assert_exit 0 cz job show "$inst.2" --json
assert_eq "failed $c2 check:failed release:skipped" \
  "$(jq -r '.job | "\(.state) \(.commit.sha) \([.steps[1:][] | "\(.name):\(.state)"] | join(" "))"' <<<"$OUT")" "a failed ship job"
assert_eq "version one" "$(page_of "$inst")" "page after a failed ship"

assert_exit 0 ship --if-changed --json
assert_eq "false null" "$(shipped '"\(.shipped) \(.job)"')" "ship --if-changed of the failed commit"
assert_contains "$(shipped .reason)" "commit ${c2:0:12} was tried last and failed as job $inst.2" "why nothing shipped"
assert_contains "$(shipped .reason)" "--retry-failed" "why nothing shipped"
assert_eq 2 "$(jobs_count)" "jobs after a ship of the failed commit"

assert_exit 1 ship --if-changed --retry-failed --json
assert_eq "false $inst.3 failed $c2" "$(shipped '"\(.shipped) \(.job.id) \(.job.state) \(.job.commit.sha)"')" "ship --retry-failed"
assert_eq 3 "$(jobs_count)" "jobs after ship --retry-failed"

c3=$(commit "version three")
assert_exit 0 ship --if-changed --json
assert_eq "true $inst.4 succeeded $c3" "$(shipped '"\(.shipped) \(.job.id) \(.job.state) \(.job.commit.sha)"')" "ship of a new good commit"
assert_eq "${inst}_web:${c3:0:12}" "$(image_of "$inst")" "image of web after a new good commit"
assert_eq "version three" "$(page_of "$inst")" "page after a new good commit"

# --- another worker holds the queue: exit 75, and that worker runs the job ------
commit "version four" hold >/dev/null
assert_exit 0 cz pipeline enqueue "$T/app.yaml" "$inst" --repo "$remote" --ref main
held=$OUT
"$CALZION_BIN" --ssh-config "$CZ_SSH_CONFIG" --host host1 pipeline work "$inst" --once >"$T/work.out" 2>"$T/work.err" &
bg=$!
wait_step "$inst" build
assert_eq "$held" "$job" "the job the worker runs"
c5=$(commit "version five")
assert_exit 75 ship --if-changed --json
assert_eq "false $inst.6 queued $c5" "$(shipped '"\(.shipped) \(.job.id) \(.job.state) \(.job.commit.sha)"')" "ship behind a busy worker"
assert_contains "$ERR" "the queue of instance \"$inst\" is worked by"
assert_contains "$ERR" "job $inst.6 is queued, and that worker runs it"
touch "$(job_dir "$held")/artifacts/go"
status=0
wait "$bg" || status=$?
bg=
assert_eq 0 "$status" "exit of the worker: $(cat "$T/work.err")"
assert_exit 0 cz job show "$inst.6" --json
assert_eq "succeeded $c5" "$(jq -r '.job | "\(.state) \(.commit.sha)"' <<<"$OUT")" "the job ship queued, run by the other worker"
assert_exit 0 cz job show "$held" --json
assert_eq "superseded $inst.6" "$(jq -r '.job | "\(.state) \(.superseded_by)"' <<<"$OUT")" "the job the worker was busy with"
assert_eq "version five" "$(page_of "$inst")" "page after the other worker ran ship's job"
# Queued or run, the commit is not shipped again.
assert_exit 0 ship --if-changed
assert_contains "$ERR" "nothing to ship: commit ${c5:0:12} is deployed already"

# --- notify sees every state of a ship job, in order -------------------------
c6=$(commit "version six")
# shellcheck disable=SC2016 # expanded by the notify's shell
assert_exit 0 ship --if-changed \
  --notify 'printf "%s %s %s %s\n" "$CALZION_CONTEXT" "$CALZION_STEP_STATE" "$CALZION_JOB_STATE" "$CALZION_COMMIT_SHA" >>'"'$T/notified'"
# Each line: context, step state (none for the job's own), job state. The build
# and the task run side by side: between the job's start and the release their
# lines may interleave, each step's in its own order.
[ -s "$T/notified" ] || fail "notify never ran"
assert_eq "$c6" "$(cut -d' ' -f4 "$T/notified" | sort -u)" "the commit every notify saw"
notified=$(cut -d' ' -f1-3 "$T/notified")
assert_eq 11 "$(wc -l <<<"$notified")" "notifications of a ship job:"$'\n'"$notified"
assert_eq "calzion/$inst/build pending running
calzion/$inst/check pending running
calzion/$inst/release pending running
calzion/$inst  running" "$(head -n 4 <<<"$notified")" "notifications as the job starts"
assert_eq "calzion/$inst/build running running
calzion/$inst/build succeeded running
calzion/$inst/check running running
calzion/$inst/check succeeded running" "$(sed -n 5,8p <<<"$notified" | sort)" "notifications of the build and the task"
for step in build check; do
  assert_eq "pending running succeeded" "$(grep "^calzion/$inst/$step " <<<"$notified" | cut -d' ' -f2 | paste -sd' ')" \
    "states of $step, in order"
done
assert_eq "calzion/$inst/release running running
calzion/$inst/release succeeded running
calzion/$inst  succeeded" "$(tail -n 3 <<<"$notified")" "notifications of the release and the job's end"

# --- a pull request's ref ships to its preview instance ------------------------
git_ checkout -q -b pr
echo "version seven, a pull request" >"$work/www/index.html"
git_ commit -qam "a pull request"
git_ push -q origin HEAD:refs/pull/7/head
c7=$(git_ rev-parse HEAD)
git_ checkout -q main
assert_exit 0 cz ship "$T/app.yaml" "$inst" --repo "$remote" --ref refs/pull/7/head --instance-suffix pr-7 --if-changed --json
assert_eq "true $preview $preview.1 succeeded $c7 refs/pull/7/head" \
  "$(shipped '"\(.shipped) \(.instance) \(.job.id) \(.job.state) \(.job.commit.sha) \(.job.commit.ref)"')" "ship of a preview"
assert_eq "${preview}_web:${c7:0:12}" "$(image_of "$preview")" "image of the preview's web"
assert_eq "version seven, a pull request" "$(page_of "$preview")" "page of the preview"
assert_eq "version six" "$(page_of "$inst")" "page of the instance beside its preview"
assert_exit 0 cz --json history "$preview"
assert_eq "1 succeeded $c7" "$(jq -r '[.hosts[0].revisions[] | "\(.revision) \(.status) \(.git_commit)"] | join(",")' <<<"$OUT")" \
  "revisions of the preview"
# The pull request closed: its preview goes, the instance stays.
assert_exit 0 cz destroy "$preview" --volumes
assert_eq "" "$(host_docker 1 ps -a --filter "label=io.calzion.instance=$preview" --format '{{.Names}}')" "containers of a destroyed preview"
assert_eq running "$(host_docker 1 inspect -f '{{.State.Status}}' "${inst}_web")" "the instance after its preview is destroyed"
