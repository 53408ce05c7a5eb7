#!/usr/bin/env bash
# The router (calzion(1) INFRASTRUCTURE FILE, domains): `calzion router sync` runs one nginx container
# per host, calzion-router, configured from the routes of every instance's
# current revision on that host, so instances share it whatever template they
# came from. A user checks what a browser would see: each domain reaches its own
# instance through the host's port 80 with the proxy headers, an unknown name
# gets 404, a new domain is served after a reload that fails no request made
# meanwhile, a domain claimed twice changes nothing and names both instances, a
# stopped router is started, a new port re-creates it, and once no instance
# routes a domain the router and its configuration are gone.
#
# Deploy fills a service's routes from the infrastructure file's `domains`;
# this test writes them into the revisions on the host with jq instead, so that
# it exercises the router alone. The router image is built offline from
# Debian's nginx (harness/router-image.sh).
#
# The router is one per host: tests that sync host1's router take this lock.
# ctest: RESOURCE_LOCK host1-router
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
need_hosts 1
need_jq

router_image_on_host1

a=$E2E_NAME-a
b=$E2E_NAME-b
cz() { calzion --ssh-config "$CZ_SSH_CONFIG" --host host1 "$@"; }
on_exit cz destroy --volumes --missing-ok "$a" --lock-timeout 30s
on_exit cz destroy --volumes --missing-ok "$b" --lock-timeout 30s
# Before the instances go (last registered, first run): their networks can
# only be removed once the router has left them.
on_exit host_docker 1 rm --force calzion-router
on_exit rm -rf "$CZ_HOST1_STATE/router"

# Port 8000 serves a page naming the instance; /cgi-bin/env shows the headers
# the router passed on.
cat >"$T/app.yaml" <<'EOF'
services:
  web:
    image: local/busybox:1
    cmd:
      - sh
      - -c
      - |
        mkdir -p /www/cgi-bin
        echo "page of $$CALZION_INSTANCE" > /www/index.html
        printf '%s\n' '#!/bin/sh' 'printf "Content-Type: text/plain\r\n\r\n"' \
          'echo "host=$$HTTP_HOST forwarded-for=$$HTTP_X_FORWARDED_FOR proto=$$HTTP_X_FORWARDED_PROTO"' > /www/cgi-bin/env
        chmod +x /www/cgi-bin/env
        exec httpd -f -p 8000 -h /www
EOF
assert_exit 0 cz deploy "$T/app.yaml" "$a"
assert_exit 0 cz deploy "$T/app.yaml" "$b"

# set_routes INSTANCE DOMAIN...: the routes of the instance's service "web" in
# its current revision on the host (port 8000), written as deploy would.
set_routes() {
  local inst=$1 rev file
  shift
  rev=$(cat "$CZ_HOST1_STATE/instances/$inst/current")
  file=$CZ_HOST1_STATE/instances/$inst/revisions/$rev.json
  jq -c --args '.deployment.services |= map(if .name == "web"
      then .routes = [$ARGS.positional[] | {domain: ., port: 8000}] else . end)' "$@" <"$file" >"$file.tmp"
  mv "$file.tmp" "$file"
}

addr=$CZ_HOST1_ADDR
# fetch DOMAIN [PORT [PATH]]: what the host's router answers for DOMAIN: the
# body in $BODY, the HTTP status in $CODE (000 when there was no answer).
fetch() {
  CODE=$(fetch_code "$1" "${2:-80}" "${3:-/}" "$T/body")
  BODY=$(cat "$T/body" 2>/dev/null || true)
}
# fetch_code DOMAIN PORT PATH FILE: print the status, the body into FILE.
fetch_code() {
  rm -f "$4"
  if command -v curl >/dev/null; then
    curl -s -o "$4" -w '%{http_code}' --max-time 5 -H "Host: $1" "http://$addr:$2$3" || true
  else
    busybox wget -S -q -T 5 -O "$4" --header "Host: $1" "http://$addr:$2$3" 2>&1 |
      awk '/^ *HTTP\// { code = $2 } END { printf "%03d", code }'
  fi
}

# Two instances, one domain each.
set_routes "$a" a.example.test
set_routes "$b" b.example.test
assert_exit 0 cz router sync --image local/nginx:router
assert_contains "$ERR" "host1 router: serves 2 domains (a.example.test, b.example.test): created, joined cz-$a, cz-$b"
assert_eq running "$(host_docker 1 inspect -f '{{.State.Status}}' calzion-router)" "router state"
assert_eq 1 "$(host_docker 1 inspect -f '{{index .Config.Labels "io.calzion.router"}}' calzion-router)" "router label"
assert_eq unless-stopped "$(host_docker 1 inspect -f '{{.HostConfig.RestartPolicy.Name}}' calzion-router)" "restart policy"
assert_eq local/nginx:router "$(host_docker 1 inspect -f '{{.Config.Image}}' calzion-router)" "router image"
assert_contains "$(cat "$CZ_HOST1_STATE/router/nginx.conf")" "server_name a.example.test;"

fetch a.example.test
assert_eq 200 "$CODE" "status for a.example.test"
assert_eq "page of $a" "$BODY" "a.example.test reaches instance a"
fetch b.example.test
assert_eq "page of $b" "$BODY" "b.example.test reaches instance b"
fetch unknown.example.test
assert_eq 404 "$CODE" "status for a name no instance routes"
fetch a.example.test 80 /cgi-bin/env
assert_eq "host=a.example.test forwarded-for=$CZ_HOST1_GATEWAY proto=http" "$BODY" "headers passed to the backend"

# Nothing changed: nothing is done.
id=$(host_docker 1 inspect -f '{{.Id}}' calzion-router)
assert_exit 0 cz router sync --image local/nginx:router
assert_contains "$ERR" "host1 router: serves 2 domains (a.example.test, b.example.test): unchanged"
assert_eq "$id" "$(host_docker 1 inspect -f '{{.Id}}' calzion-router)" "the same router container"

# A third domain while requests keep coming: the reload fails none of them.
: >"$T/codes"
(
  while [ ! -e "$T/stop" ]; do
    for d in a.example.test b.example.test; do
      echo "$d $(fetch_code "$d" 80 / "$T/loop-body")" >>"$T/codes"
    done
  done
) &
loop=$!
on_exit touch "$T/stop"
# lines FILE N: FILE has at least N lines.
lines() { [ "$(wc -l <"$1")" -ge "$2" ]; }
wait_for 20 lines "$T/codes" 40
set_routes "$a" a.example.test www.a.example.test
assert_exit 0 cz router sync --image local/nginx:router --json
assert_eq true "$(jq '.hosts[0].reloaded' <<<"$OUT")" "reloaded"
assert_eq false "$(jq '.hosts[0].created' <<<"$OUT")" "not re-created"
assert_eq "a.example.test b.example.test www.a.example.test" "$(jq -r '.hosts[0].domains | join(" ")' <<<"$OUT")" "domains"
after=$(($(wc -l <"$T/codes") + 40))
wait_for 20 lines "$T/codes" "$after"
touch "$T/stop"
wait "$loop"
total=$(wc -l <"$T/codes")
failed=$(grep -cv ' 200$' "$T/codes" || true)
assert_eq 0 "$failed" "requests that failed across the reload (of $total): $(grep -v ' 200$' "$T/codes" | head -5)"
fetch www.a.example.test
assert_eq "page of $a" "$BODY" "the new domain reaches instance a"

# A domain claimed by two instances: refused, naming both; the router serves on.
set_routes "$b" b.example.test a.example.test
assert_exit 65 cz router sync --image local/nginx:router
assert_contains "$ERR" "domain \"a.example.test\" is routed by both instance \"$a\" (service \"web\") and instance \"$b\" (service \"web\")"
fetch a.example.test
assert_eq "page of $a" "$BODY" "a.example.test still reaches instance a"

# Instance b routes nothing any more: the router leaves its network.
set_routes "$b"
assert_exit 0 cz router sync --image local/nginx:router
assert_contains "$ERR" "reloaded, left cz-$b"
fetch b.example.test
assert_eq 404 "$CODE" "b.example.test once no instance routes it"
assert_eq "bridge cz-$a" "$(host_docker 1 inspect -f '{{range $n, $e := .NetworkSettings.Networks}}{{$n}} {{end}}' calzion-router | xargs)" "router networks"

# A stopped router is started.
host_docker 1 stop calzion-router >/dev/null
assert_exit 0 cz router sync --image local/nginx:router
assert_contains "$ERR" ": started"
fetch a.example.test
assert_eq "page of $a" "$BODY" "served again once started"

# Another HTTP port re-creates the router there.
assert_exit 0 cz router sync --image local/nginx:router --http-port 18080
assert_contains "$ERR" ": created"
fetch a.example.test 18080
assert_eq "page of $a" "$BODY" "served on the new port"
fetch a.example.test 80
assert_eq 000 "$CODE" "nothing on the old port"

# No instance routes a domain: router and configuration are gone, and an
# instance's network can be removed.
set_routes "$a"
assert_exit 0 cz router sync --image local/nginx:router --http-port 18080
assert_contains "$ERR" "host1 router: removed: no instance routes a domain"
assert_exit 1 host_docker 1 inspect calzion-router
[ ! -e "$CZ_HOST1_STATE/router/nginx.conf" ] || fail "the router's configuration is still there"
assert_exit 0 cz destroy "$a"
assert_exit 1 host_docker 1 network inspect "cz-$a"
