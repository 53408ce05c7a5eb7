#!/usr/bin/env bash
# history and rollback (calzion(1) COMMANDS): `history` lists every
# revision with time, user@machine, command, status, template digest, the git
# commit of the template's repository ("-dirty" when it had changes) and what
# changed, as a table and as --json. `rollback` works from host state alone
# (the template is deleted first): it restores a revision's container spec,
# secrets included (from the env file left on the host), removes services the
# revision did not have, and is recorded as a new revision. An unknown revision
# or nothing to roll back to is a usage error; a rollback whose target cannot
# start (its image is gone: a rollback never pulls) or whose secrets are gone
# leaves the old container serving and exits 1.
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
need_hosts 1
need_jq

instance_on_host1
export TOKEN=tok-5f1e

# write_template COLOR [EXTRA_SERVICE_YAML]: web and worker, and what else is given.
write_template() {
  cat >"$T/app.yaml" <<EOF
services:
  web:
    image: local/busybox:1
    cmd: sleep 3600
    env: {COLOR: $1}
    secrets: [TOKEN]
  worker:
    image: local/busybox:1
    cmd: sleep 3601
${2:-}
EOF
}
extra='  extra:
    image: local/busybox:1
    cmd: sleep 3602'

getenv() { host_docker 1 exec "${inst}_$1" sh -c "printf %s \"\$$2\""; }
revision_label() { host_docker 1 inspect -f '{{index .Config.Labels "io.calzion.revision"}}' "${inst}_$1"; }
history_json() { cz --json history "$inst"; }
# jq over the record of revision N in `history --json`.
rev() { jq -r --argjson n "$1" ".hosts[0].revisions[] | select(.revision == \$n) | $2" <<<"$(history_json)"; }

# --- nothing recorded yet: no history, nothing to roll back to.
assert_exit 0 cz history "$inst"
assert_eq "host1: \"$inst\" has no revisions" "$OUT" "history of an instance never deployed"
assert_exit 64 cz rollback "$inst"
assert_eq "calzion: error: host1: instance \"$inst\" has no revisions on host1: nothing to roll back to" "$ERR" \
  "rollback of an instance never deployed"
[ ! -e "$idir" ] || fail "a rollback with nothing to roll back to left $idir behind"

# --- revisions 1 and 2, outside any git repository.
write_template blue
digest1=$(sha256sum "$T/app.yaml" | cut -c1-64)
assert_exit 0 cz deploy "$T/app.yaml" "$inst"
assert_exit 64 cz rollback "$inst"
assert_contains "$ERR" "instance \"$inst\" has no succeeded revision before revision 1 on host1: nothing to roll back to"
write_template green "$extra"
digest2=$(sha256sum "$T/app.yaml" | cut -c1-64)
assert_exit 0 cz deploy "$T/app.yaml" "$inst"
assert_contains "$ERR" "host1: recorded revision 2"

assert_exit 0 cz history "$inst"
me="$(id -un)@$(hostname)"
assert_contains "$OUT" "host1: $inst at revision 2, 2 recorded"
assert_contains "$OUT" "REV  TIME"
line2=$(grep -E '^\* 2 ' <<<"$OUT") || fail "no starred line for revision 2 in: $OUT"
line1=$(grep -E '^  1 ' <<<"$OUT") || fail "no line for revision 1 in: $OUT"
# check_row LINE DIGEST: one revision's row of the table.
check_row() {
  assert_contains "$1" "$me" "user@machine in the table"
  assert_contains "$1" "deploy    succeeded  ${2:0:12}  -  " "command, status, short digest, no commit"
  assert_contains "$1" "$T/app.yaml" "template file"
  [[ $1 =~ [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z ]] || fail "no time in: $1"
}
check_row "$line2" "$digest2"
check_row "$line1" "$digest1"
# Newest first, each followed by what changed.
assert_eq "* 2 |       web: replace (env)|       extra: create|  1 |       web: create|       worker: create" \
  "$(grep -E '^(\* |  )[0-9]|^       ' <<<"$OUT" | sed -E 's/^(..[0-9]+ ).*/\1/' | tr '\n' '|' | sed 's/|$//')" \
  "revisions and their changes, newest first"

assert_exit 0 cz --json history "$inst"
assert_eq "$inst 2 2,1 true" "$(jq -r '[.instance, .hosts[0].current_revision, ([.hosts[0].revisions[].revision] | join(",")), .hosts[0].revisions[0].current] | join(" ")' <<<"$OUT")" "history --json"
assert_eq "$(id -un) $(hostname) deploy succeeded $digest2 null" \
  "$(jq -r '.hosts[0].revisions[0] | [.user, .machine, .command, .status, .template_digest, (.git_commit | tostring)] | join(" ")' <<<"$OUT")" \
  "revision 2 in --json"
assert_eq '["web: replace (env)","extra: create"]' "$(jq -c '.hosts[0].revisions[0].changes' <<<"$OUT")" "changes in --json"
[[ $(jq -r '.hosts[0].revisions[1].time' <<<"$OUT") =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$ ]] || fail "time in --json"

# --- revisions 3 and 4, the template in a git repository: the commit, then dirty.
# Untracked files count as changes: the harness's own files in $T (out, err...)
# are kept out of the repository.
git -C "$T" init -q
printf '%s\n' '/*' '!/app.yaml' >"$T/.git/info/exclude"
git -C "$T" add app.yaml
git -C "$T" -c user.name=e2e -c user.email=e2e@example.invalid commit -q -m "template"
write_template red "$extra"
git -C "$T" -c user.name=e2e -c user.email=e2e@example.invalid commit -q -am "red"
commit=$(git -C "$T" rev-parse HEAD)
assert_exit 0 cz deploy "$T/app.yaml" "$inst"
assert_eq "$commit" "$(rev 3 .git_commit)" "git commit of revision 3"
write_template yellow "$extra"
assert_exit 0 cz deploy "$T/app.yaml" "$inst"
assert_eq "$commit-dirty" "$(rev 4 .git_commit)" "git commit of revision 4 (uncommitted change)"
assert_exit 0 cz history "$inst"
assert_contains "$(grep -E '^\* 4 ' <<<"$OUT")" " ${commit:0:12}-dirty " "short dirty commit in the table"
assert_contains "$(grep -E '^  3 ' <<<"$OUT")" " ${commit:0:12} " "short commit in the table"

# --- rollback from host state alone: no template, no secret in the environment.
rm -rf "$T/app.yaml" "$T/.git"
unset TOKEN
worker_before=$(host_docker 1 inspect -f '{{.Id}}' "${inst}_worker")
assert_exit 0 cz rollback --to 1 "$inst"
assert_contains "$ERR" "host1: rolling back to revision 1 (deploy of "
assert_contains "$ERR" "host1 web: replace (start-first): spec changed"
assert_contains "$ERR" "host1 extra: removed container ${inst}_extra"
assert_contains "$ERR" "host1: recorded revision 5 (rollback to revision 1)"
assert_eq blue "$(getenv web COLOR)" "COLOR after rolling back to 1"
assert_eq tok-5f1e "$(getenv web TOKEN)" "the secret after rolling back, from the env file on the host"
assert_eq '["sleep","3600"]' "$(host_docker 1 inspect -f '{{json .Config.Cmd}}' "${inst}_web")" "command of web"
assert_eq 5 "$(revision_label web)" "revision label of the restored web"
assert_eq "$worker_before" "$(host_docker 1 inspect -f '{{.Id}}' "${inst}_worker")" "worker (unchanged) is left alone"
assert_exit 1 host_docker 1 inspect "${inst}_extra"
assert_eq 5 "$(cat "$idir/current")" "current after the rollback"
assert_eq "rollback succeeded rollback to revision 1 $digest1" \
  "$(rev 5 '[.command, .status, .message, .template_digest] | join(" ")')" "revision 5 in the history"
assert_eq '["web: replace (env)","extra: remove"]' "$(rev 5 '.changes | tostring')" "changes of revision 5"
assert_eq "$(jq -c '.deployment.services | map(del(.labels["io.calzion.revision"]))' "$idir/revisions/1.json")" \
  "$(jq -c '.deployment.services | map(del(.labels["io.calzion.revision"]))' "$idir/revisions/5.json")" \
  "revision 5 records revision 1's services"

# --to 2 goes forward again, extra comes back.
assert_exit 0 cz rollback --to 2 "$inst"
assert_contains "$ERR" "host1: recorded revision 6 (rollback to revision 2)"
assert_eq green "$(getenv web COLOR)" "COLOR after rolling forward to 2"
assert_eq running "$(host_docker 1 inspect -f '{{.State.Status}}' "${inst}_extra")" "extra after rolling forward"
assert_eq "rollback to revision 2" "$(rev 6 .message)" "message of revision 6"

# The same again changes nothing and records nothing.
assert_exit 0 cz rollback --to 2 "$inst"
assert_contains "$ERR" "host1: up to date at revision 6"
assert_eq 6 "$(cat "$idir/current")" "current after a rollback with nothing to do"

# Without --to: the newest succeeded revision before the current one (5, blue), in JSON.
assert_exit 0 cz --json rollback "$inst"
assert_eq "6 7 true" "$(jq -r '.hosts[0] | [.revision_before, .revision_after, .changes] | join(" ")' <<<"$OUT")" "rollback --json"
assert_eq blue "$(getenv web COLOR)" "COLOR after the default rollback"
assert_eq "rollback to revision 5" "$(rev 7 .message)" "message of revision 7"

# --- an unknown revision: usage error, nothing recorded.
assert_exit 64 cz rollback --to 99 "$inst"
assert_eq "calzion: error: host1: instance \"$inst\" has no revision 99 on host1 (it has 1-7)" "$ERR" "unknown revision"
assert_eq 7 "$(cat "$idir/current")" "current after an unknown revision"

# --- a target whose image is gone from the host: the old container keeps serving.
tag=local/busybox:$inst
host_docker 1 tag local/busybox:1 "$tag"
on_exit host_docker 1 rmi -f "$tag"
write_template purple
sed -i "0,/local\/busybox:1/s||$tag|" "$T/app.yaml"
export TOKEN=tok-5f1e
assert_exit 0 cz deploy "$T/app.yaml" "$inst"
assert_contains "$ERR" "host1: recorded revision 8"
write_template orange
assert_exit 0 cz deploy "$T/app.yaml" "$inst"
assert_contains "$ERR" "host1: recorded revision 9"
rm "$T/app.yaml"
unset TOKEN
host_docker 1 rmi "$tag" >/dev/null
web_before=$(host_docker 1 inspect -f '{{.Id}}' "${inst}_web")
assert_exit 1 cz rollback --to 8 "$inst"
assert_contains "$ERR" "host1 web: image \"$tag\" is not on the host, and pull policy \"never\" does not pull it: "
assert_contains "$ERR" "No such image: $tag"
assert_eq "$web_before" "$(host_docker 1 inspect -f '{{.Id}}' "${inst}_web")" "web after the failed rollback"
assert_eq "running orange" "$(host_docker 1 inspect -f '{{.State.Status}}' "${inst}_web") $(getenv web COLOR)" "the old web keeps serving"
assert_eq "rollback failed" "$(rev 10 '[.command, .status] | join(" ")')" "the failed rollback is recorded"
assert_contains "$(rev 10 .message)" "rollback to revision 8: service \"web\": image \"$tag\" is not on the host"
assert_eq '["web: replace (env, image) [not done]"]' "$(rev 10 '.changes | tostring')" "changes of the failed rollback"
assert_eq orange "$(jq -r '.deployment.services[] | select(.name == "web") | .env.COLOR' "$idir/revisions/10.json")" \
  "revision 10 records what actually runs"

# --- secrets gone from the host: refused before anything changes.
rm "$idir/secrets/web.env"
assert_exit 1 cz rollback --to 1 "$inst"
assert_contains "$ERR" "calzion: error: host1: secret \"TOKEN\" of service \"web\" is not on the host (secrets/web.env): deploy the template with the secret set"
assert_eq "$web_before" "$(host_docker 1 inspect -f '{{.Id}}' "${inst}_web")" "web after a rollback without its secrets"
assert_eq running "$(host_docker 1 inspect -f '{{.State.Status}}' "${inst}_web")" "web still runs"
