#!/usr/bin/env bash
# Domains end to end (calzion(1) INFRASTRUCTURE FILE): the infrastructure file's `domains` reach the
# router through deploy alone. Two instances from two different templates share
# host1's router; each domain answers with its own instance, routed by the Host
# header; a new domain is a new revision that touches no container; destroying
# an instance drops its domain (and its network can go), destroying the last
# removes the router.
# ctest: RESOURCE_LOCK host1-router
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
need_hosts 1
need_jq

router_image_on_host1

a=$E2E_NAME-a
b=$E2E_NAME-b
infra=$T/calzion.infra.yaml
cz() { calzion --ssh-config "$CZ_SSH_CONFIG" --infra "$infra" "$@"; }
on_exit cz destroy --volumes --missing-ok "$a" --lock-timeout 30s
on_exit cz destroy --volumes --missing-ok "$b" --lock-timeout 30s
on_exit host_docker 1 rm --force calzion-router

# Two templates: a site on port 8000 (registered as http), a shop on port 80.
mkdir -p "$T/site" "$T/shop"
cat >"$T/site/app.yaml" <<'EOF'
services:
  web:
    image: local/busybox:1
    cmd: ["sh", "-c", "echo \"site $$CALZION_INSTANCE\" > /www/index.html; exec httpd -f -p 8000 -h /www"]
    volumes: [/www]
    register: {8000: http, 9000: metrics}
EOF
cat >"$T/shop/app.yaml" <<'EOF'
services:
  front:
    image: local/busybox:1
    cmd: ["sh", "-c", "echo \"shop $$CALZION_INSTANCE\" > /www/index.html; exec httpd -f -p 80 -h /www"]
    volumes: [/www]
EOF
cat >"$infra" <<EOF
hosts:
  one: host1
instances:
  $a: {hosts: [one], domains: {web: a.example.test}}
  $b: {hosts: [one], domains: {front: [b.example.test]}}
router: {image: local/nginx:router}
EOF

fetch() {  # DOMAIN: what host1's port 80 answers for it ("404" when nothing)
  local out
  out=$(timeout 10 busybox wget -q -O - --header "Host: $1" "http://$CZ_HOST1_ADDR/" 2>&1) || { echo 404; return; }
  echo "$out"
}

# render shows the routes deploy will record, without a host.
assert_exit 0 cz render --format json "$T/site/app.yaml" "$a"
assert_eq '[{"domain":"a.example.test","port":8000}]' "$(jq -c '.services[0].routes' <<<"$OUT")" "rendered routes"
assert_exit 0 cz deploy "$T/site/app.yaml" "$a"
assert_contains "$ERR" "one: router serves a.example.test"
assert_exit 0 cz deploy "$T/shop/app.yaml" "$b"
assert_contains "$ERR" "one: router serves a.example.test, b.example.test"
assert_eq "site $a" "$(fetch a.example.test)" "a.example.test"
assert_eq "shop $b" "$(fetch b.example.test)" "b.example.test"
assert_eq 404 "$(fetch c.example.test)" "an unknown name"
assert_eq '[{"domain":"a.example.test","port":8000}]' \
  "$(jq -c '.deployment.services[0].routes' "$CZ_HOST1_STATE/instances/$a/revisions/1.json")" "recorded routes"

# A second domain: a new revision, the same container, both names served.
id=$(host_docker 1 inspect -f '{{.Id}}' "${a}_web")
sed -i "s/domains: {web: a.example.test}/domains: {web: [a.example.test, www.a.example.test]}/" "$infra"
assert_exit 2 cz plan --detailed-exitcode "$T/site/app.yaml" "$a"
assert_contains "$OUT" "domains changed"
assert_exit 0 cz deploy "$T/site/app.yaml" "$a"
assert_eq 2 "$(cat "$CZ_HOST1_STATE/instances/$a/current")" "a new revision"
assert_eq "$id" "$(host_docker 1 inspect -f '{{.Id}}' "${a}_web")" "the container is untouched"
assert_eq "site $a" "$(fetch www.a.example.test)" "the new domain"
assert_exit 0 cz deploy "$T/site/app.yaml" "$a"
assert_contains "$ERR" "one: up to date at revision 2"
assert_contains "$ERR" "one: router unchanged"

# router sync uses the infrastructure file's router, as deploy does: nothing to
# change (the default image could not even be pulled offline).
router_id=$(host_docker 1 inspect -f '{{.Id}}' calzion-router)
assert_exit 0 cz router sync
assert_eq "$router_id" "$(host_docker 1 inspect -f '{{.Id}}' calzion-router)" "router sync keeps the router"
assert_eq "site $a" "$(fetch a.example.test)" "a.example.test after router sync"
# A router image that cannot start: the new router is tried beside the old
# one, which keeps serving, and router sync exits 1.
sed -i "s|router: {image: local/nginx:router}|router: {image: local/nginx:nosuch}|" "$infra"
assert_exit 1 cz router sync
assert_contains "$ERR" "the current router keeps serving"
assert_eq "$router_id" "$(host_docker 1 inspect -f '{{.Id}}' calzion-router)" "the old router after a failed sync"
assert_eq "site $a" "$(fetch a.example.test)" "a.example.test after a failed router sync"
assert_eq "" "$(host_docker 1 ps -aq --filter name=^calzion-router-)" "no trial or parked router left"
# Another image that works: a new router, serving.
host_docker 1 tag local/nginx:router local/nginx:router-next
on_exit host_docker 1 rmi local/nginx:router-next
sed -i "s|router: {image: local/nginx:nosuch}|router: {image: local/nginx:router-next}|" "$infra"
assert_exit 0 cz router sync
assert_eq "local/nginx:router-next" "$(host_docker 1 inspect -f '{{.Config.Image}}' calzion-router)" "the new router's image"
assert_eq "site $a" "$(fetch a.example.test)" "a.example.test from the new router"
assert_eq "shop $b" "$(fetch b.example.test)" "b.example.test from the new router"
assert_eq "" "$(host_docker 1 ps -aq --filter name=^calzion-router-)" "no trial or parked router left"

# destroy drops the instance's domains; the last one takes the router with it.
assert_exit 0 cz destroy "$a"
assert_eq 404 "$(fetch a.example.test)" "a destroyed instance's domain"
assert_eq "shop $b" "$(fetch b.example.test)" "the other instance still served"
assert_eq "" "$(host_docker 1 network ls -q --filter "name=^cz-$a\$")" "the destroyed instance's network is gone"
assert_exit 0 cz destroy "$b"
assert_eq "" "$(host_docker 1 ps -aq --filter name=^calzion-router\$)" "no router without domains"
