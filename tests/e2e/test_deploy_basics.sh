#!/usr/bin/env bash
# deploy over SSH, as a user checks it afterwards: two services from one
# template run on the host, named, labelled and networked as calzion(1) FILES says; the
# client finds the web server by its service name and through an `expose`d
# variable; the host holds the state (current, revisions/1.json, audit.log)
# with what was deployed, and `render` predicted the spec hashes exactly.
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
need_hosts 1
need_jq

instance_on_host1

cat >"$T/app.yaml" <<'EOF'
env:
  GREETING: hello from the template
services:
  web:
    image: local/busybox:1
    cmd: ["sh", "-c", "mkdir -p /www && echo \"page of $$CALZION_INSTANCE\" > /www/index.html && exec httpd -f -p 8080 -h /www"]
    register: {8080: http}
  client:
    image: local/busybox:1
    cmd: sleep 3600
    expose: {"web:http": WEB_ADDR}
EOF

assert_exit 0 cz deploy "$T/app.yaml" "$inst"
assert_contains "$ERR" "host1 web: create: new service"
assert_contains "$ERR" "host1 client: create: new service"
assert_contains "$ERR" "host1: recorded revision 1"

# Containers: <instance>_<service>, running, one per service, nothing else.
names=$(host_docker 1 ps -a --filter "label=io.calzion.instance=$inst" --format '{{.Names}}' | sort)
assert_eq "${inst}_client"$'\n'"${inst}_web" "$names" "containers labelled with the instance"
for svc in web client; do
  c=${inst}_$svc
  assert_eq running "$(host_docker 1 inspect -f '{{.State.Status}}' "$c")" "state of $c"
  assert_eq "$inst" "$(host_docker 1 inspect -f '{{index .Config.Labels "io.calzion.instance"}}' "$c")" "instance label of $c"
  assert_eq "$svc" "$(host_docker 1 inspect -f '{{index .Config.Labels "io.calzion.service"}}' "$c")" "service label of $c"
  assert_eq 1 "$(host_docker 1 inspect -f '{{index .Config.Labels "io.calzion.revision"}}' "$c")" "revision label of $c"
  assert_eq unless-stopped "$(host_docker 1 inspect -f '{{.HostConfig.RestartPolicy.Name}}' "$c")" "restart policy of $c"
  # On the instance's network, with the service name as DNS alias.
  nets=$(host_docker 1 inspect -f '{{json .NetworkSettings.Networks}}' "$c")
  assert_eq "cz-$inst" "$(jq -r 'keys | join(" ")' <<<"$nets")" "networks of $c"
  assert_eq true "$(jq --arg s "$svc" --arg n "cz-$inst" '.[$n].Aliases | index($s) != null' <<<"$nets")" "alias $svc on cz-$inst"
done
assert_eq "$inst" "$(host_docker 1 network inspect -f '{{index .Labels "io.calzion.instance"}}' "cz-$inst")" "network label"

# The spec hash on each container is the one `render` computes, without a host.
assert_exit 0 calzion render --format json "$T/app.yaml" "$inst"
for svc in web client; do
  want=$(jq -r --arg s "$svc" '.services[] | select(.name == $s) | .spec_hash' <<<"$OUT")
  [ ${#want} = 64 ] || fail "render gives no spec hash for $svc: $want"
  assert_eq "$want" "$(host_docker 1 inspect -f '{{index .Config.Labels "io.calzion.spec-hash"}}' "${inst}_$svc")" "spec-hash label of $svc"
done

# Environment: built-ins, the template's global env, the expose variable.
getenv() { host_docker 1 exec "${inst}_$1" sh -c "printf %s \"\$$2\""; }
assert_eq "$inst" "$(getenv client CALZION_INSTANCE)" "CALZION_INSTANCE in client"
assert_eq client "$(getenv client CALZION_SERVICE)" "CALZION_SERVICE in client"
assert_eq web "$(getenv web CALZION_SERVICE)" "CALZION_SERVICE in web"
assert_eq "hello from the template" "$(getenv client GREETING)" "global env in client"
assert_eq web:8080 "$(getenv client WEB_ADDR)" "expose variable in client"
assert_eq "" "$(getenv web WEB_ADDR)" "expose variable only where asked for"

# DNS between services: the client reaches web by name and through WEB_ADDR.
assert_exit 0 host_docker 1 exec "${inst}_client" timeout 5 wget -qO- http://web:8080/
assert_eq "page of $inst" "$OUT" "page fetched by service name"
# shellcheck disable=SC2016
assert_exit 0 host_docker 1 exec "${inst}_client" sh -c 'timeout 5 wget -qO- "http://$WEB_ADDR/"'
assert_eq "page of $inst" "$OUT" "page fetched through the expose variable"

# State on the host: read over ssh, and the same bytes in the harness's view.
idir=$CZ_HOST1_STATE/instances/$inst
assert_exit 0 host_ssh 1 "cat /var/lib/calzion/instances/$inst/current"
assert_eq 1 "$OUT" "current over ssh"
assert_eq 1 "$(cat "$idir/current")" "current"
assert_eq 1 "$(cat "$CZ_HOST1_STATE/format")" "state format"
assert_eq "1.json" "$(ls "$idir/revisions")" "revision files"
rev=$idir/revisions/1.json
assert_eq 1 "$(jq .revision "$rev")" "revision number"
assert_eq '"succeeded" "deploy" ""' "$(jq -c '.status, .command, .message' "$rev" | tr '\n' ' ' | sed 's/ $//')" "status, command, message"
assert_eq "$T/app.yaml" "$(jq -r .template "$rev")" "template file"
assert_eq "$(sha256sum <"$T/app.yaml" | cut -d' ' -f1)" "$(jq -r .template_digest "$rev")" "template digest"
assert_eq '["web: create","client: create"]' "$(jq -c .changes "$rev")" "changes"
assert_eq "${USER:-$(id -un)}" "$(jq -r .user "$rev")" "user"
assert_eq "$(hostname)" "$(jq -r .machine "$rev")" "machine"
assert_eq "$inst cz-$inst 1" "$(jq -r '.deployment | "\(.instance) \(.network) \(.revision)"' "$rev")" "deployment header"
assert_eq "web:${inst}_web client:${inst}_client" \
  "$(jq -r '[.deployment.services[] | "\(.name):\(.container)"] | join(" ")' "$rev")" "recorded services"
assert_eq '"web:8080"' "$(jq -c '.deployment.services[] | select(.name == "client") | .env.WEB_ADDR' "$rev")" "recorded expose value"
for svc in web client; do
  assert_eq "$(host_docker 1 inspect -f '{{index .Config.Labels "io.calzion.spec-hash"}}' "${inst}_$svc")" \
    "$(jq -r --arg s "$svc" '.deployment.services[] | select(.name == $s) | .spec_hash' "$rev")" "recorded hash of $svc"
done

# One audit line, JSON, saying who deployed what.
assert_eq 1 "$(wc -l <"$idir/audit.log")" "audit.log lines"
audit=$(cat "$idir/audit.log")
assert_eq '1 "succeeded" "deploy" ["web: create","client: create"]' \
  "$(jq -c '.revision, .status, .command, .changes' <<<"$audit" | tr '\n' ' ' | sed 's/ $//')" "audit line"
assert_eq "${USER:-$(id -un)}@$(hostname)" "$(jq -r '"\(.user)@\(.machine)"' <<<"$audit")" "audit user@machine"
[[ $(jq -r .time <<<"$audit") =~ ^20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z$ ]] ||
  fail "audit time is not ISO 8601 UTC: $audit"

# No lock is left behind.
[ ! -e "$idir/lock" ] || fail "the lock directory is still there after deploy: $(ls -la "$idir/lock")"
