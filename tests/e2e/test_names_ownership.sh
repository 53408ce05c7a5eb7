#!/usr/bin/env bash
# Docker object names never collide between instances: app + volume b-store
# and app-b + volume store get two volumes, and destroying app-b --volumes
# leaves app's data; x + service y-z and x-y + service z both deploy.
# destroy --volumes removes named volumes, also after a destroy that kept
# them, and --json says what went and what stayed. A second user on the host
# (its own state directory) can neither replace nor destroy root's instance,
# nor take over its kept volume. Deployments made with the earlier names
# (<instance>-<service>, cz-<instance>-<volume>) are refused while a volume
# still has its old name, then move once the data is copied; destroy --volumes
# of such an instance removes exactly the volumes its containers mount.
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
need_hosts 1
need_jq

n=$E2E_NAME
app=$n-app
appb=$n-app-b
x=$n-x
xy=$n-x-y
o=$n-o
legacy=$n-l
legacy2=$n-m
cz() { calzion --ssh-config "$CZ_SSH_CONFIG" --host host1 "$@"; }
for i in "$app" "$appb" "$x" "$xy" "$o" "$legacy" "$legacy2"; do
  on_exit cz destroy --volumes "$i" --lock-timeout 30s
done
on_exit host_docker 1 volume rm -f "cz-$legacy-data" "cz-$legacy2-data" "cz-$legacy2-other"
on_exit host_docker 1 rm -f "$legacy-web" "$legacy-api" "$legacy2-web"

volume_template() {
  cat <<EOF
services:
  s:
    image: local/busybox:1
    cmd: sleep 3600
    volumes: ["$1:/d"]
EOF
}
volume_template b-store >"$T/app.yaml"
volume_template store >"$T/appb.yaml"

# --- app + b-store and app-b + store: two volumes, each labelled with its owner.
assert_exit 0 cz deploy "$T/app.yaml" "$app"
assert_exit 0 cz deploy "$T/appb.yaml" "$appb"
assert_eq "${app}_s" "$(host_docker 1 ps --filter "label=io.calzion.instance=$app" --format '{{.Names}}')" "app's container"
assert_eq "${appb}_s" "$(host_docker 1 ps --filter "label=io.calzion.instance=$appb" --format '{{.Names}}')" "app-b's container"
assert_eq "$app /var/lib/calzion" \
  "$(host_docker 1 volume inspect -f '{{index .Labels "io.calzion.instance"}} {{index .Labels "io.calzion.state"}}' "cz_${app}_b-store")" \
  "labels of app's volume"
assert_eq "/var/lib/calzion" "$(host_docker 1 inspect -f '{{index .Config.Labels "io.calzion.state"}}' "${app}_s")" \
  "owner label of app's container"
host_docker 1 exec "${app}_s" sh -c 'echo app-data > /d/file'
assert_exit 1 host_docker 1 exec "${appb}_s" cat /d/file
assert_exit 0 cz --json destroy --volumes "$appb"
assert_eq '[{"name":"cz_'"$appb"'_store","removed":true,"kept_because":null}] "removed"' \
  "$(jq -c '.hosts[0] | .named_volumes, .data' <<<"$OUT" | tr '\n' ' ' | sed 's/ $//')" "destroy --volumes of app-b"
assert_exit 1 host_docker 1 volume inspect "cz_${appb}_store"
assert_eq app-data "$(host_docker 1 exec "${app}_s" cat /d/file)" "app's data after destroying app-b"

# --- x + y-z and x-y + z: two containers.
printf 'services:\n  y-z: {image: local/busybox:1, cmd: sleep 3600}\n' >"$T/x.yaml"
printf 'services:\n  z: {image: local/busybox:1, cmd: sleep 3600}\n' >"$T/xy.yaml"
assert_exit 0 cz deploy "$T/x.yaml" "$x"
assert_exit 0 cz deploy "$T/xy.yaml" "$xy"
assert_eq running "$(host_docker 1 inspect -f '{{.State.Status}}' "${x}_y-z")" "x_y-z"
assert_eq running "$(host_docker 1 inspect -f '{{.State.Status}}' "${xy}_z")" "x-y_z"

# --- destroy keeps the named volume and says so; destroy --volumes later removes it.
assert_exit 0 cz --json destroy "$app"
assert_eq '[{"name":"cz_'"$app"'_b-store","removed":false,"kept_because":"data kept: destroy --volumes removes it"}] "kept"' \
  "$(jq -c '.hosts[0] | .named_volumes, .data' <<<"$OUT" | tr '\n' ' ' | sed 's/ $//')" "destroy without --volumes"
assert_exit 0 host_docker 1 volume inspect "cz_${app}_b-store"
assert_exit 0 cz --json destroy --volumes "$app"
assert_eq '[{"name":"cz_'"$app"'_b-store","removed":true,"kept_because":null}] "removed"' \
  "$(jq -c '.hosts[0] | .named_volumes, .data' <<<"$OUT" | tr '\n' ' ' | sed 's/ $//')" "destroy --volumes after destroy"
assert_exit 1 host_docker 1 volume inspect "cz_${app}_b-store"

# --- a second user cannot touch root's instance.
sed -n '/^Host host1$/,/^$/p' "$CZ_SSH_CONFIG" | sed 's#^  User .*#  User czuser#' >"$T/czuser.cfg"
czuser() { calzion --ssh-config "$T/czuser.cfg" --host host1 "$@"; }
czstate=$CZ_HOST1_CZUSER_HOME/.local/state/calzion
on_exit rm -rf "$czstate/instances/$o" "$czstate/instances/$legacy"
volume_template data >"$T/o.yaml"
assert_exit 0 cz deploy "$T/o.yaml" "$o"
id=$(host_docker 1 inspect -f '{{.Id}}' "${o}_s")
owned="calzion: error: host1: instance \"$o\" on host1 is owned by state directory /var/lib/calzion, not $czstate"
for command in "deploy --force $T/o.yaml $o" "destroy --volumes $o" "restart $o" "stop $o" "plan $T/o.yaml $o"; do
  # shellcheck disable=SC2086
  assert_exit 77 czuser $command
  assert_contains "$ERR" "$owned (container ${o}_s); use that state directory to change it" "czuser $command"
done
assert_eq "$id running" "$(host_docker 1 inspect -f '{{.Id}} {{.State.Status}}' "${o}_s")" "root's container after czuser"
assert_exit 0 host_docker 1 volume inspect "cz_${o}_data"
# With the containers gone, the kept volume still names its owner.
assert_exit 0 cz destroy "$o"
assert_exit 77 czuser deploy "$T/o.yaml" "$o"
assert_contains "$ERR" "$owned (volume cz_${o}_data)"
assert_exit 0 host_docker 1 volume inspect "cz_${o}_data"

# --- a deployment made with the earlier names, as an earlier calzion left it.
# legacy_record I: host1's record of revision 1 of instance I, services web
# (volume data at /d) and api, in the earlier names.
legacy_record() {
  local dir=$CZ_HOST1_STATE/instances/$1
  mkdir -p "$dir/revisions"
  cat >"$dir/revisions/1.json" <<EOF
{"format":1,"revision":1,"status":"succeeded","command":"deploy","deployment":{"format":1,"instance":"$1","network":"cz-$1","revision":1,"services":[
 {"name":"web","container":"$1-web","image":"local/busybox:1","spec_hash":"old","mounts":[{"type":"volume","source":"cz-$1-data","target":"/d","read_only":false}]},
 {"name":"api","container":"$1-api","image":"local/busybox:1","spec_hash":"old","mounts":[]}]}}
EOF
  echo 1 >"$dir/current"
}
# legacy_container I SERVICE [docker run options]: its container, labelled as an earlier calzion did.
legacy_container() {
  local i=$1 s=$2
  shift 2
  host_docker 1 run -d --pull never --name "$i-$s" --label "io.calzion.instance=$i" --label "io.calzion.service=$s" \
    --label io.calzion.spec-hash=old --label io.calzion.revision=1 "$@" "$CZ_IMAGE" sleep 3600 >/dev/null
}
legacy_record "$legacy"
legacy_container "$legacy" web -v "cz-$legacy-data:/d"
legacy_container "$legacy" api
host_docker 1 exec "$legacy-web" sh -c 'echo old-data > /d/file'
cat >"$T/legacy.yaml" <<'EOF'
services:
  web: {image: local/busybox:1, cmd: sleep 3600, volumes: ["data:/d"]}
  api: {image: local/busybox:1, cmd: sleep 3600}
EOF
# Another state directory has no record of it: not adopted.
assert_exit 77 czuser deploy "$T/legacy.yaml" "$legacy"
assert_contains "$ERR" "instance \"$legacy\" on host1 has containers that name no owner ($legacy-api, $legacy-web) and state directory $czstate has no record of it"
# The volume cannot be renamed: refused before any change, saying how to move the data.
assert_exit 1 cz deploy "$T/legacy.yaml" "$legacy"
assert_contains "$ERR" "service \"web\" keeps its data at /d in volume \"cz-$legacy-data\", which is now named \"cz_${legacy}_data\", and docker cannot rename a volume"
assert_eq "$legacy-api $legacy-web" \
  "$(host_docker 1 ps --filter "label=io.calzion.instance=$legacy" --format '{{.Names}}' | sort | tr '\n' ' ' | sed 's/ $//')" \
  "containers after the refusal"
assert_exit 1 host_docker 1 volume inspect "cz_${legacy}_data"
assert_eq 1 "$(cat "$CZ_HOST1_STATE/instances/$legacy/current")" "revision after the refusal"
# The commands the message gives, then the deploy moves every container to its new name.
host_docker 1 volume create --label "io.calzion.instance=$legacy" --label io.calzion.state=/var/lib/calzion \
  "cz_${legacy}_data" >/dev/null
host_docker 1 run --rm --pull never -v "cz-$legacy-data:/from" -v "cz_${legacy}_data:/to" "$CZ_IMAGE" cp -a /from/. /to/
assert_exit 0 cz deploy "$T/legacy.yaml" "$legacy"
assert_contains "$ERR" "web: replace (start-first): container renamed to ${legacy}_web"
assert_contains "$ERR" "api: replace (start-first): container renamed to ${legacy}_api"
assert_eq "${legacy}_api ${legacy}_web" \
  "$(host_docker 1 ps -a --filter "label=io.calzion.instance=$legacy" --format '{{.Names}}' | sort | tr '\n' ' ' | sed 's/ $//')" \
  "containers after the move"
assert_eq old-data "$(host_docker 1 exec "${legacy}_web" cat /d/file)" "data after the move"
assert_exit 0 cz deploy "$T/legacy.yaml" "$legacy"
assert_contains "$ERR" "up to date"

# destroy --volumes of an instance in the earlier names: exactly the volumes
# its containers mount, never another one whose name merely looks like its own.
legacy_record "$legacy2"
legacy_container "$legacy2" web -v "cz-$legacy2-data:/d"
host_docker 1 volume create "cz-$legacy2-other" >/dev/null
assert_exit 0 cz --json destroy --volumes "$legacy2"
assert_eq '[{"name":"cz-'"$legacy2"'-data","removed":true,"kept_because":null}] "removed"' \
  "$(jq -c '.hosts[0] | .named_volumes, .data' <<<"$OUT" | tr '\n' ' ' | sed 's/ $//')" "destroy --volumes of a legacy instance"
assert_exit 1 host_docker 1 volume inspect "cz-$legacy2-data"
assert_exit 0 host_docker 1 volume inspect "cz-$legacy2-other"
