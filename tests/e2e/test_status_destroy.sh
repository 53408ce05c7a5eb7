#!/usr/bin/env bash
# status (human and --json) shows the recorded revision, each container's state
# and health, and drift after containers were removed or stopped by hand; list
# shows the instance; destroy removes containers, network and records but keeps
# the data (volume directories and named volumes), which a new deploy finds
# again; destroy --volumes removes the data too; destroy --json says per host
# what it removed and what it kept.
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
need_hosts 1
need_jq

instance_on_host1
error_line() { grep '^calzion: error: ' <<<"$ERR" || fail "no error line in: $ERR"; }

cat >"$T/app.yaml" <<'EOF'
services:
  db:
    image: local/busybox:1
    cmd: sleep 3600
    volumes: [/data, "dbdata:/named"]
    healthcheck: {cmd: "true", interval: 1s}
  web:
    image: local/busybox:1
    cmd: sleep 3600
    depends_on: [db]
EOF

assert_exit 0 cz deploy "$T/app.yaml" "$inst"

# Data written by the container lands in the instance's directory on the host
# (instance volume) and in a named volume scoped by the instance.
host_docker 1 exec "${inst}_db" sh -c 'echo kept-data > /data/file && echo named-data > /named/file'
assert_eq kept-data "$(cat "$idir/volumes/db/data/file")" "instance volume on the host"
assert_eq named-data "$(host_docker 1 run --rm --pull never -v "cz_${inst}_dbdata:/v" "$CZ_IMAGE" cat /v/file)" \
  "named volume cz_${inst}_dbdata"

# status: revision, state, health, no drift.
assert_exit 0 cz status "$inst"
assert_eq "host1: $inst at revision 1
  db               running    healthy    rev 1
  web              running    -          rev 1" "$OUT" "status"
assert_exit 0 cz --json status "$inst"
assert_eq '{"host":"host1","instance":"'"$inst"'","revision":1,"locked":false,"last_failure":null}' \
  "$(jq -c '.instances[0] | del(.services)' <<<"$OUT")" "status --json: instance"
assert_eq '[{"service":"db","container":"'"$inst"'_db","revision":1,"state":"running","health":"healthy","drift":null,"replicas":null},{"service":"web","container":"'"$inst"'_web","revision":1,"state":"running","health":"","drift":null,"replicas":null}]' \
  "$(jq -c '.instances[0].services' <<<"$OUT")" "status --json: services"

# Status without an instance covers every instance on the host, ours too.
assert_exit 0 cz --json status
assert_eq 1 "$(jq --arg i "$inst" '[.instances[] | select(.instance == $i)] | length' <<<"$OUT")" "status of all instances"

# Drift: a container removed by hand, another stopped.
host_docker 1 rm -f "${inst}_web" >/dev/null
host_docker 1 stop -t 0 "${inst}_db" >/dev/null
assert_exit 0 cz status "$inst"
assert_eq "host1: $inst at revision 1
  db               exited     unhealthy  rev 1  drift: container is exited
  web              missing    -          rev 0  drift: container missing" "$OUT" "status with drift"
assert_exit 0 cz --json status "$inst"
assert_eq '"exited" "container is exited" "missing" "container missing"' \
  "$(jq -c '.instances[0].services[] | .state, .drift' <<<"$OUT" | tr '\n' ' ' | sed 's/ $//')" "status --json with drift"

# A container of the instance that calzion did not record.
host_docker 1 run -d --pull never --name "$inst-stray" --label "io.calzion.instance=$inst" \
  --label io.calzion.service=stray "$CZ_IMAGE" sleep 3600 >/dev/null
assert_exit 0 cz status "$inst"
assert_contains "$OUT" "  stray            running    -          rev 0  drift: not in the recorded revision"
host_docker 1 rm -f "$inst-stray" >/dev/null

# Deploy repairs the drift.
assert_exit 0 cz deploy "$T/app.yaml" "$inst"
assert_exit 0 cz --json status "$inst"
assert_eq '2 ["running","running"] [null,null]' \
  "$(jq -c '.instances[0] | .revision, [.services[].state], [.services[].drift]' <<<"$OUT" | tr '\n' ' ' | sed 's/ $//')" \
  "status after repairing deploy"

# list: the instance, its revision and who deployed it when.
assert_exit 0 cz list
assert_eq "HOST            INSTANCE                REVISION  DEPLOYED              BY" "$(head -n 1 <<<"$OUT")" "list header"
line=$(grep "^host1 *$inst " <<<"$OUT") || fail "list lacks $inst: $OUT"
[[ $line =~ ^host1\ +$inst\ +2\ +20[0-9-]{8}T[0-9:]{8}Z\ +${USER:-$(id -un)}@$(hostname)$ ]] || fail "list line: $line"
assert_exit 0 cz --json list
assert_eq '{"host":"host1","instance":"'"$inst"'","revision":2,"user":"'"${USER:-$(id -un)}"'","machine":"'"$(hostname)"'","status":"succeeded"}' \
  "$(jq -c --arg i "$inst" '.instances[] | select(.instance == $i) | del(.time)' <<<"$OUT")" "list --json"
assert_eq '[{"host":"host1","error":null}]' "$(jq -c .hosts <<<"$OUT")" "list --json hosts"
# history names who deployed in the same fields as list.
assert_exit 0 cz --json history "$inst"
assert_eq '["'"${USER:-$(id -un)}"'","'"$(hostname)"'"]' "$(jq -c '.hosts[0].revisions[-1] | [.user, .machine]' <<<"$OUT")" \
  "history --json: user and machine"

# destroy: containers, network and records go; the data stays.
assert_exit 0 cz --json destroy "$inst"
assert_contains "$ERR" "host1: destroyed \"$inst\" (2 containers; data kept, destroy --volumes removes it)"
assert_eq '{"command":"destroy","instance":"'"$inst"'","volumes":false,"hosts":1,"error":null}' "$(jq -c '.hosts |= length' <<<"$OUT")" "destroy --json"
assert_eq '{"host":"host1","missing":false,"containers":["'"$inst"'_db","'"$inst"'_web"],"network":{"name":"cz-'"$inst"'","removed":true},"named_volumes":[{"name":"cz_'"$inst"'_dbdata","removed":false,"kept_because":"data kept: destroy --volumes removes it"}],"data":"kept","instance_dir":{"path":"/var/lib/calzion/instances/'"$inst"'","removed":false},"error":null}' \
  "$(jq -c '.hosts[0] | .containers |= sort' <<<"$OUT")" "destroy --json: host1"
assert_eq "" "$(host_docker 1 ps -aq --filter "label=io.calzion.instance=$inst")" "containers after destroy"
assert_exit 1 host_docker 1 network inspect "cz-$inst"
[ ! -e "$idir/current" ] || fail "current survives destroy"
[ ! -e "$idir/revisions" ] || fail "revisions survive destroy"
assert_eq kept-data "$(cat "$idir/volumes/db/data/file")" "instance volume after destroy"
assert_exit 0 host_docker 1 volume inspect "cz_${inst}_dbdata"
assert_exit 0 cz --json list
assert_eq 0 "$(jq --arg i "$inst" '[.instances[] | select(.instance == $i)] | length' <<<"$OUT")" "list after destroy"
# It is gone: status says so, an error unless --missing-ok.
assert_exit 1 cz status "$inst"
assert_eq "calzion: error: no instance \"$inst\" on host1" "$(error_line)"
assert_exit 0 cz status --missing-ok "$inst"
assert_eq "host1: no instance \"$inst\"" "$OUT" "status --missing-ok after destroy"


# A new deploy starts at revision 1 and finds the data again.
assert_exit 0 cz deploy "$T/app.yaml" "$inst"
assert_contains "$ERR" "host1: recorded revision 1"
assert_eq kept-data "$(host_docker 1 exec "${inst}_db" cat /data/file)" "instance volume after redeploy"
assert_eq named-data "$(host_docker 1 exec "${inst}_db" cat /named/file)" "named volume after redeploy"

# destroy --volumes: the data goes too.
assert_exit 0 cz --json destroy --volumes "$inst"
assert_contains "$ERR" "host1: destroyed \"$inst\" (2 containers, with its data)"
assert_eq 'true 2 [{"name":"cz_'"$inst"'_dbdata","removed":true,"kept_because":null}] "removed" true' \
  "$(jq -c '.volumes, (.hosts[0] | (.containers | length), .named_volumes, .data, .instance_dir.removed)' <<<"$OUT" | tr '\n' ' ' | sed 's/ $//')" \
  "destroy --volumes --json"
[ ! -e "$idir" ] || fail "$idir survives destroy --volumes: $(ls -la "$idir")"
assert_exit 1 host_docker 1 volume inspect "cz_${inst}_dbdata"
assert_eq "" "$(host_docker 1 ps -aq --filter "label=io.calzion.instance=$inst")" "containers after destroy --volumes"
assert_exit 1 host_docker 1 network inspect "cz-$inst"

# Destroying what is not there is an error (a typo must not look like
# success), unless --missing-ok; without --json stdout stays empty.
assert_exit 1 cz destroy "$inst"
assert_eq "calzion: error: no instance \"$inst\" on host1" "$(error_line)"
assert_eq "" "$OUT" "destroy stdout without --json"
assert_exit 1 cz --json destroy "$inst"
assert_eq '[true,1] {"kind":"operation_failed","message":"no instance \"'"$inst"'\" on host1","exit_code":1}' \
  "$(jq -c '[.hosts[0].missing, .hosts[0].error.exit_code], (.error | {kind, message, exit_code})' <<<"$OUT" | paste -sd' ')" \
  "destroy --json of a destroyed instance"
assert_exit 0 cz destroy --missing-ok "$inst"
assert_contains "$ERR" "host1: no instance \"$inst\": nothing to destroy"
assert_exit 0 cz --json destroy --missing-ok "$inst"
assert_eq '[true,null] null' "$(jq -c '[.hosts[0].missing, .hosts[0].error], .error' <<<"$OUT" | paste -sd' ')" \
  "destroy --missing-ok --json"
