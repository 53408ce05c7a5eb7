#!/usr/bin/env bash
# The `.cion.yml` of calzion's origins runs: when the template has no
# `pipeline:` section, the job reads `.cion.yml` at the repository root of the
# job's commit, in either layout (steps as lists of single-key mappings, or as
# mappings). Each step gets its own env; a step without `cmd`/`cmds` runs its
# image's own command; a template's `pipeline:` section wins over the file.
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
# shellcheck source=lib/pipeline.sh
. "$(dirname "$0")/lib/pipeline.sh"
need_hosts 1
need_jq
instance_on_host1
on_exit rm -rf "$idir/jobs"

# An image whose own command shows the step's environment (built offline from
# local/busybox:1).
image=local/cz-$E2E_NAME:1
# shellcheck disable=SC2016
step_image 1 "$image" '["sh", "-c", "echo \"$CALZION_STEP key1=${key1-unset} key3=${key3-unset}\""]'

# The template: services only; the pipeline comes from the repository.
cat >"$T/app.yaml" <<'EOF'
services:
  idle: {image: local/busybox:1, cmd: sleep 3600}
EOF

git_remote
echo "source" >"$work/README"
git_ add -A
git_ commit -qm "no pipeline"
git_ push -q origin main

# One branch per .cion.yml: commit_cion BRANCH (the file on stdin).
commit_cion() {
  git_ checkout -q -B "$1" main
  cat >"$work/.cion.yml"
  git_ add .cion.yml
  git_ commit -qm "cion: $1"
  git_ push -q origin "$1"
  assert_exit 0 calzion pipeline validate "$work/.cion.yml"
  assert_eq "$work/.cion.yml: the pipeline is valid" "$OUT" "validate of the $1 layout"
}

# The origins' file exactly, with this test's image: the images' own commands run.
commit_cion origins <<EOF
build:
  - image: $image
  - env:
      key1: val1
release:
  - image: $image
  - env:
      key3: val3
EOF
# The list layout, with commands.
commit_cion list <<'EOF'
build:
  - image: local/busybox:1
  - env:
      key1: val1
  - cmd: [sh, -c, 'echo "key1=$key1" > "$ARTIFACTS_DIR/k"']
release:
  - image: local/busybox:1
  - env:
      key3: val3
  - cmd: [sh, -c, 'cat "$ARTIFACTS_DIR/k"; echo "key3=$key3"']
EOF
# The mapping layout.
commit_cion map <<'EOF'
build:
  image: local/busybox:1
  env:
    key1: val1
  cmds: ['echo "key1=$key1 from a mapping" > "$ARTIFACTS_DIR/k"']
release:
  image: local/busybox:1
  env:
    key3: val3
  cmds: ['cat "$ARTIFACTS_DIR/k"', 'echo "key3=$key3"']
EOF
git_ checkout -q main

# run_ok REF: a job of REF from the bare repository; $job is its id.
run_ok() {
  assert_exit 0 cz pipeline run "$T/app.yaml" "$inst" --repo "$remote" --ref "$1" --json
  job=$(jq_job .id)
  assert_eq "succeeded $(git_ rev-parse "$1")" "$(jq_job '"\(.state) \(.commit.sha)"')" "job of $1"
  assert_eq "build:succeeded release:succeeded" "$(jq_job '[.steps[] | "\(.name):\(.state)"] | join(" ")')" "steps of $1"
  assert_contains "$(jq_job .pipeline)" ".cion.yml" "where the pipeline of $1 was read"
  assert_eq "" "$(job_containers "$job")" "step containers after the job of $1"
}

run_ok origins
assert_exit 0 cz job logs "$job" build
assert_eq "build key1=val1 key3=unset" "$OUT" "build of the origins' layout"
assert_exit 0 cz job logs "$job" release
assert_eq "release key1=unset key3=val3" "$OUT" "release of the origins' layout"

run_ok list
assert_exit 0 cz job logs "$job" release
assert_eq $'key1=val1\nkey3=val3' "$OUT" "release of the list layout"

run_ok map
assert_exit 0 cz job logs "$job" release
# shellcheck disable=SC2016
assert_eq '$ cat "$ARTIFACTS_DIR/k"
key1=val1 from a mapping
$ echo "key3=$key3"
key3=val3' "$OUT" "release of the mapping layout"

# A commit without .cion.yml, and a template without a pipeline: nothing to run.
status=0
cz pipeline run "$T/app.yaml" "$inst" --repo "$remote" --ref main >"$T/out" 2>"$T/err" || status=$?
[ "$status" != 0 ] || fail "a job without any pipeline succeeded"
assert_contains "$(cat "$T/err")" ".cion.yml" "error of a commit without a pipeline"

# A template's own pipeline: section wins over the repository's file.
cat >"$T/own.yaml" <<'EOF'
services:
  idle: {image: local/busybox:1, cmd: sleep 3600}
pipeline:
  build:
    image: local/busybox:1
    cmd: [echo, from the template]
EOF
assert_exit 0 cz pipeline run "$T/own.yaml" "$inst" --repo "$remote" --ref list --json
job=$(jq_job .id)
assert_eq "build" "$(jq_job '[.steps[].name] | join(" ")')" "steps of the template's own pipeline"
assert_exit 0 cz job logs "$job" build
assert_eq "from the template" "$OUT" "the template's pipeline ran"
