#!/usr/bin/env bash
# `release: {deploy: true}`: after the tasks pass, the job deploys the template
# to the instance at the job's commit, not the working tree's: its `git: .`
# service is built from that commit on the host and runs it, the deploy is
# recorded as a revision (history shows it with its commit) and the job record
# names that revision.
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
# shellcheck source=lib/pipeline.sh
. "$(dirname "$0")/lib/pipeline.sh"
need_hosts 1
need_jq

# Registered first, so that it runs last, once the instances are gone.
on_exit remove_built_images
instance_on_host1
on_exit rm -rf "$idir/jobs"

git_remote
web_app
cat >"$work/app.yaml" <<'EOF'
services:
  web:
    git: .
pipeline:
  tasks:
    check:
      image: local/busybox:1
      cmds: [grep version www/index.html]
  release: {deploy: true}
EOF
echo "version one" >"$work/www/index.html"
git_ add -A
git_ commit -qm "version one"
git_ tag v1
c1=$(git_ rev-parse HEAD)
echo "version two" >"$work/www/index.html"
git_ commit -qam "version two"
c2=$(git_ rev-parse HEAD)

page() { host_docker 1 exec "${inst}_web" wget -qO- http://127.0.0.1:8080/; }

# --- a tag, behind the checked-out branch: the tag's commit is deployed -------
assert_exit 0 cz pipeline run "$work/app.yaml" "$inst" --ref v1 --json
job=$(jq_job .id)
assert_eq "succeeded $c1 v1 1" "$(jq_job '"\(.state) \(.commit.sha) \(.commit.ref) \(.revision)"')" "job of a deploy release"
assert_eq "check:task:succeeded release:deploy:succeeded" \
  "$(jq_job '[.steps[] | "\(.name):\(.kind):\(.state)"] | join(" ")')" "steps of a deploy release"
assert_eq running "$(host_docker 1 inspect -f '{{.State.Status}}' "${inst}_web")" "state of web"
assert_eq "${inst}_web:${c1:0:12}" "$(host_docker 1 inspect -f '{{.Config.Image}}' "${inst}_web")" "image of web"
assert_eq "version one" "$(page)" "page served at the tag's commit"
assert_eq 1 "$(cat "$idir/current")" "current revision"
assert_eq "" "$(job_containers "$job")" "step containers after the job"

assert_exit 0 cz --json history "$inst"
assert_eq "1 succeeded $c1" "$(jq -r '.hosts[0].revisions[0] | "\(.revision) \(.status) \(.git_commit)"' <<<"$OUT")" "revision 1 in history --json"
assert_exit 0 cz history "$inst"
assert_contains "$OUT" "host1: $inst at revision 1, 1 recorded"
assert_contains "$(grep -E '^\* 1 ' <<<"$OUT")" " ${c1:0:12} " "revision 1 in history, with its commit"

# --- the branch, with an uncommitted change in the working tree: the commit is
# deployed, the change is not --------------------------------------------------
echo "draft" >"$work/www/index.html"
assert_exit 0 cz pipeline run "$work/app.yaml" "$inst" --ref main --json
assert_eq "succeeded $c2 2" "$(jq_job '"\(.state) \(.commit.sha) \(.revision)"')" "job of the branch"
assert_eq "${inst}_web:${c2:0:12}" "$(host_docker 1 inspect -f '{{.Config.Image}}' "${inst}_web")" "image of web at the branch"
assert_eq "version two" "$(page)" "page served at the branch's commit"
assert_exit 0 cz --json history "$inst"
assert_eq "2 succeeded $c2" "$(jq -r '.hosts[0].revisions[0] | "\(.revision) \(.status) \(.git_commit)"' <<<"$OUT")" "revision 2 in history --json"
assert_eq "${inst}_web" "$(host_docker 1 ps -a --filter "label=io.calzion.instance=$inst" --format '{{.Names}}')" \
  "containers of the instance"

# --- a failing task: no deploy -------------------------------------------------
git_ checkout -q www/index.html
echo "no marker" >"$work/www/index.html"
git_ commit -qam "broken"
assert_exit 1 cz pipeline run "$work/app.yaml" "$inst" --ref main --json
assert_eq "failed null release:skipped" "$(jq_job '"\(.state) \(.revision) \(.steps[1].name):\(.steps[1].state)"')" "job of a failing task"
assert_eq "version two" "$(page)" "page after a failed job"
assert_eq 2 "$(cat "$idir/current")" "current revision after a failed job"
