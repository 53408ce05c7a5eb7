# pipeline.sh: helpers for the pipeline and job tests (bash), on top of e2e.sh.
#
#   . "$(dirname "$0")/lib/e2e.sh"
#   . "$(dirname "$0")/lib/pipeline.sh"
#   need_hosts 1; need_jq; instance_on_host1
#   git_remote                      # $remote (bare) and $work (its clone), git_
#   git_ commit -qm one && git_ push -q origin HEAD:main
#
# Jobs run on host1 here; their records are read through the harness's view of
# host1's state directory ($CZ_HOST1_STATE, /var/lib/calzion on the host).
# shellcheck shell=bash

# git_remote: a bare repository $remote in $T standing in for a forge, and
# $work, a clone of it with one branch `main` to commit in. git_ runs git in
# $work as a test user.
git_remote() {
  remote=$T/remote.git
  work=$T/work
  git init -q --bare --initial-branch=main "$remote"
  git clone -q "$remote" "$work" 2>/dev/null
  git_ checkout -q -b main
}
git_() { git -C "$work" -c user.name=test -c user.email=test@example.com "$@"; }

# job_dir ID: the directory of job ID (<instance>.<n>) on host1, as seen here.
job_dir() {
  echo "$CZ_HOST1_STATE/instances/${1%.*}/jobs/${1##*.}"
}

# job_containers ID: the names of every container (running or not) labelled
# with job ID on host1, one a line.
job_containers() {
  host_docker 1 ps -a --filter "label=io.calzion.job=$1" --format '{{.Names}}'
}

# step_running INSTANCE STEP: a step container of INSTANCE's job runs STEP on
# host1 (named calzion-job-<instance>-<n>-<step>); prints that job's id (from
# the container's io.calzion.job label).
step_running() {
  local name id
  while read -r name id; do
    if [[ $name =~ ^calzion-job-$1-[0-9]+-$2$ ]]; then
      echo "$id"
      return 0
    fi
  done < <(host_docker 1 ps --filter "name=calzion-job-$1-" --format '{{.Names}} {{.Label "io.calzion.job"}}')
  return 1
}

# wait_step INSTANCE STEP: wait until step STEP of a job of INSTANCE runs in its
# container on host1 and set $job to that job's id.
wait_step() {
  wait_for 60 step_running "$1" "$2"
  # shellcheck disable=SC2034 # for the caller
  job=$(step_running "$1" "$2")
}

# step_image K NAME CMD: build image NAME on host K's engine, offline, from
# local/busybox:1 with CMD (a JSON array) as its default command. It is removed
# when the test exits.
step_image() {
  local k=$1 name=$2 cmd=$3
  printf 'FROM local/busybox:1\nCMD %s\n' "$cmd" | host_docker "$k" build -q -t "$name" - >/dev/null 2>"$T/.build.err" ||
    fail "cannot build the step image $name on host$k: $(cat "$T/.build.err")"
  on_exit host_docker "$k" image rm -f "$name"
}

# jq_job FILTER: FILTER applied to the job record of `--json` output in $OUT
# ({"host": ..., "job": RECORD}), raw.
jq_job() {
  jq -r ".job | $1" <<<"$OUT"
}

# remove_built_images: remove the images calzion built on host 1 for this
# test's instances (named after E2E_NAME), which outlive destroy.
remove_built_images() {
  local images
  mapfile -t images < <(host_docker 1 images --filter "reference=${E2E_NAME}*" --format '{{.Repository}}:{{.Tag}}')
  [ ${#images[@]} = 0 ] || host_docker 1 image rm "${images[@]}"
}

# web_app: in $work, an app to build from source: a Dockerfile (FROM
# local/busybox:1) that serves www/ on port 8080.
web_app() {
  mkdir -p "$work/www"
  cat >"$work/Dockerfile" <<'EOF'
FROM local/busybox:1
COPY www /www
CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]
EOF
}

# commit TEXT [hold]: commit web_app's page TEXT (and the file `hold`, or not)
# and push it to the bare repository's main; prints the commit.
commit() {
  echo "$1" >"$work/www/index.html"
  if [ -n "${2:-}" ]; then touch "$work/hold"; else rm -f "$work/hold"; fi
  git_ add -A
  git_ commit -qm "$1"
  git_ push -q origin HEAD:main
  git_ rev-parse HEAD
}
