#!/usr/bin/env bash
# --json in one shape: every command prints exactly one JSON object on stdout,
# on success and on failure alike, with "command", a "hosts" array whose
# entries each have "host" and "error" (null or {kind, message, exit_code}),
# and a top-level "error" (null, or the error the exit code comes from, with
# kind, message, exit_code, host, location and diagnostics). Each command runs
# once where it succeeds and once where it fails (unreachable host, unknown
# instance, bad input); logs and exec refuse --json with exit 64.
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
need_hosts 1
need_jq

instance_on_host1
gone="root@$CZ_HOST1_GATEWAY:1"
czgone() { calzion --ssh-config "$CZ_SSH_CONFIG" --host "$gone" "$@"; }

# The envelope, for a command that exited $2 (0: no error at all).
envelope='type == "object"
  and (.command == (if $command == "" then null else $command end))
  and (.hosts | type == "array")
  and all(.hosts[]; (.host | type == "string") and has("error")
          and (.error == null or ((.error.kind | type == "string") and (.error.message | type == "string")
                                  and (.error.exit_code | type == "number"))))
  and has("error")
  and (if $code == 0 then .error == null
       else (.error.exit_code == $code and (.error.kind | type == "string") and (.error.message | type == "string")
             and (.error | has("host") and has("file") and has("line") and has("column"))
             and (.error.diagnostics | type == "array"))
       end)'

# check_json CODE COMMAND-NAME JQ-FILTER CMD...: CMD exits CODE and prints one
# document in the envelope for which JQ-FILTER holds too.
check_json() {
  local code=$1 command=$2 filter=$3
  shift 3
  assert_exit "$code" "$@"
  assert_eq 1 "$(jq -s length <<<"$OUT")" "one JSON document from: $*"
  jq -e --arg command "$command" --argjson code "$code" "($envelope) and ($filter)" <<<"$OUT" >/dev/null ||
    fail "not the documented shape for: $* (exit $code):"$'\n'"$OUT"
}

cat >"$T/app.yaml" <<'EOF2'
services:
  web:
    image: local/busybox:1
    cmd: sleep 3600
EOF2
printf 'services:\n  web:\n    imgae: x\n' >"$T/bad.yaml"

check_json 0 validate '.valid == true and .hosts == []' cz --json validate "$T/app.yaml"
check_json 65 validate '.error.kind == "invalid_data" and (.error.diagnostics | length) == 1' \
  cz --json validate "$T/bad.yaml"
check_json 0 render '.instance == "'"$inst"'" and (.deployment.services | length) == 1' cz --json render "$T/app.yaml" "$inst"
check_json 65 render '.error.file != null' cz --json render "$T/bad.yaml" "$inst"
check_json 64 render '.error.kind == "usage"' cz --json render "$T/app.yaml" "abc-"
check_json 0 init '.starter == "single"' cz --json init -o "$T/init.yaml"
check_json 1 init '.error.kind == "operation_failed"' cz --json init -o "$T/init.yaml"
check_json 0 init '(.starters | length) > 0' cz --json init --list
check_json 64 "" '.error.kind == "usage"' cz --json nosuchcommand

check_json 0 plan '.changes == true and .hosts[0].host == "host1"' cz --json plan "$T/app.yaml" "$inst"
check_json 69 plan '.hosts[0].error.kind == "unreachable"' czgone --json plan "$T/app.yaml" "$inst"
check_json 0 deploy '.dry_run == true and (.commands | length) > 0 and all(.commands[]; .host == "host1")' \
  cz --json deploy --dry-run "$T/app.yaml" "$inst"
check_json 0 deploy '.hosts[0].revision_after == 1' cz --json deploy "$T/app.yaml" "$inst"
check_json 69 deploy '.hosts[0].error.exit_code == 69' czgone --json deploy "$T/app.yaml" "$inst"
check_json 0 status '.instances[0].instance == "'"$inst"'" and .instances[0].last_failure == null' \
  cz --json status "$inst"
check_json 1 status '.instances == [] and .hosts[0].error.message == "no instance \"nosuch-'"$inst"'\" on host1"' \
  cz --json status "nosuch-$inst"
check_json 0 status '.instances == [] and .hosts[0].error == null' cz --json status --missing-ok "nosuch-$inst"
check_json 0 list 'any(.instances[]; .instance == "'"$inst"'" and (.user | type == "string") and (.machine | type == "string"))' \
  cz --json list
check_json 69 list '.hosts[0].error.kind == "unreachable"' czgone --json list
check_json 0 history '(.hosts[0].revisions[0] | has("user") and has("machine"))' cz --json history "$inst"
check_json 69 history '.hosts[0].error.exit_code == 69' czgone --json history "$inst"
for command in restart stop start; do
  check_json 0 "$command" '.hosts[0].error == null' cz --json "$command" "$inst"
  check_json 69 "$command" '.hosts[0].error.exit_code == 69' czgone --json "$command" "$inst"
done
check_json 0 lock '.hosts[0].locked == false' cz --json lock "$inst"
check_json 69 lock '.hosts[0].error.exit_code == 69' czgone --json lock "$inst"
check_json 0 "hosts check" '.hosts[0].ok == true' cz --json hosts check
check_json 69 "hosts check" '.hosts[0].error.exit_code == 69' czgone --json hosts check
check_json 0 "router sync" '.hosts[0].error == null' cz --json router sync
check_json 69 "router sync" '.hosts[0].error.exit_code == 69' czgone --json router sync
sed -i 's/sleep 3600/sleep 3601/' "$T/app.yaml"
assert_exit 0 cz deploy "$T/app.yaml" "$inst"
check_json 0 rollback '.hosts[0].revision_after == 3' cz --json rollback "$inst"
check_json 69 rollback '.hosts[0].error.exit_code == 69' czgone --json rollback "$inst"
check_json 64 logs '.error.kind == "usage"' cz --json logs "$inst" web
check_json 64 exec '.error.kind == "usage"' cz --json exec "$inst" web -- true
check_json 0 destroy '.hosts[0].missing == false' cz --json destroy "$inst"
check_json 1 destroy '.hosts[0].missing == true and .error.message == "no instance \"'"$inst"'\" on host1"' \
  cz --json destroy "$inst"
