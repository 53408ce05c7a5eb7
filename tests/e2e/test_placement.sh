#!/usr/bin/env bash
# Placement over an instance's hosts (calzion(1) INFRASTRUCTURE FILE), each host its own network
# namespace with its own sshd and dockerd: `place` puts a service on a host,
# the others spread and then stay where they are; an expose across hosts is
# the other host's address and published port, and the services talk over
# it. Changing `place` moves a service as a planned remove (saying what
# happens to its data) plus create. When a host cannot be reached, no host
# is changed.
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
need_hosts 2
need_jq

inst=$E2E_NAME
dir=$T/app
mkdir -p "$dir"
infra=$dir/calzion.infra.yaml
cz() { calzion --ssh-config "$CZ_SSH_CONFIG" "$@"; }
on_exit cz --infra "$infra" destroy --volumes --missing-ok "$inst"
on_exit cz --infra "$infra" destroy --volumes --missing-ok "$inst-spread"

cat >"$dir/app.yaml" <<'EOF'
services:
  api:
    image: local/busybox:1
    cmd: ["sh", "-c", "echo \"api on $$CALZION_SERVICE\" > /www/index.html; exec httpd -f -p 8080 -h /www"]
    volumes: [/www]
    ports: ["18100:8080"]
    register: {8080: http}
  client:
    image: local/busybox:1
    cmd: ["sh", "-c", "exec sleep 3600"]
    expose:
      "api:http": API_ADDR
      "api:8080": {env: API_URL, format: "http://{host}:{port}/index.html"}
  one:
    image: local/busybox:1
    cmd: ["sh", "-c", "exec sleep 3600"]
  two:
    image: local/busybox:1
    cmd: ["sh", "-c", "exec sleep 3600"]
EOF
write_infra() {
  cat >"$infra" <<EOF
hosts:
  alpha: {address: host1, private_address: $CZ_HOST1_ADDR}
  beta: {address: host2, private_address: $CZ_HOST2_ADDR}
instances:
  $inst:
    hosts: [alpha, beta]
    place: {api: $1, client: alpha}
  $inst-spread: {hosts: [$2]}
EOF
}
names_on() { host_docker "$1" ps --filter "label=io.calzion.instance=$2" --format '{{.Label "io.calzion.service"}}' | sort | tr '\n' ' ' | sed 's/ $//'; }
getenv() { host_docker 1 exec "${inst}_client" sh -c "printf %s \"\$$1\""; }

# api on beta, client on alpha; one and two spread, one per host.
write_infra beta "alpha, beta"
assert_exit 0 cz deploy "$dir/app.yaml" "$inst"
on1=$(names_on 1 "$inst")
on2=$(names_on 2 "$inst")
assert_contains " $on1 " " client " "client on alpha"
assert_contains " $on2 " " api " "api on beta"
assert_eq 4 "$(($(wc -w <<<"$on1") + $(wc -w <<<"$on2")))" "each service runs once: alpha has $on1, beta has $on2"
assert_eq 2 "$(wc -w <<<"$on1")" "the spread evens the hosts out: alpha has $on1"

# Across hosts: beta's address and the port it publishes; they talk.
assert_eq "$CZ_HOST2_ADDR:18100" "$(getenv API_ADDR)" "expose across hosts"
assert_eq "http://$CZ_HOST2_ADDR:18100/index.html" "$(getenv API_URL)" "URL expose across hosts"
# shellcheck disable=SC2016
assert_exit 0 host_docker 1 exec "${inst}_client" sh -c 'timeout 5 wget -qO- "$API_URL"'
assert_eq "api on api" "$OUT" "client on alpha reaches api on beta"

# Nothing changes on a second deploy, even with the hosts listed the other way.
sed -i "s/hosts: \[alpha, beta\]/hosts: [beta, alpha]/" "$infra"
assert_exit 0 cz plan --detailed-exitcode "$dir/app.yaml" "$inst"
assert_exit 0 cz deploy "$dir/app.yaml" "$inst"
assert_eq "$on1" "$(names_on 1 "$inst")" "alpha unchanged"
assert_eq "$on2" "$(names_on 2 "$inst")" "beta unchanged"
# --host alpha alone: beta is not read, so what may run there is left alone
# and nothing is started twice.
assert_exit 0 cz --host alpha deploy --force "$dir/app.yaml" "$inst"
assert_eq "$on1" "$(names_on 1 "$inst")" "alpha runs the same services after --host alpha"
assert_eq "$on2" "$(names_on 2 "$inst")" "beta untouched by --host alpha"
assert_exit 0 cz --infra "$infra" --json status "$inst"
assert_eq "alpha beta" "$(jq -r '[.instances[].host] | sort | join(" ")' <<<"$OUT")" "status reads both hosts"

# Move api to alpha: removed from beta (its data stays there), created on alpha;
# client now finds it by name.
write_infra alpha "alpha, beta"
echo kept >"$T/marker"
assert_exit 2 cz plan --detailed-exitcode "$dir/app.yaml" "$inst"
assert_contains "$OUT" "- api"
assert_contains "$OUT" "moved to \"alpha\"; its volumes stay on this host (in /var/lib/calzion/instances/$inst/volumes/api), and it starts there without them"
assert_exit 0 cz deploy "$dir/app.yaml" "$inst"
assert_contains " $(names_on 1 "$inst") " " api " "api moved to alpha"
assert_not_contains " $(names_on 2 "$inst") " " api " "api left beta"
[ -d "$CZ_HOST2_STATE/instances/$inst/volumes/api" ] || fail "api's data did not stay on beta"
assert_eq "api:8080" "$(getenv API_ADDR)" "expose on one host again"
assert_exit 0 host_docker 1 exec "${inst}_client" timeout 5 wget -qO- http://api:8080/
assert_eq "api on api" "$OUT" "client reaches api by name"

# A host that cannot be reached: neither host is changed, and each says why.
cat >>"$infra" <<EOF
  $inst-down: {hosts: [alpha, gone]}
EOF
sed -i "s/^hosts:/hosts:\n  gone: 127.0.0.1:1/" "$infra"
assert_exit 69 cz deploy "$dir/app.yaml" "$inst-down"
assert_contains "$ERR" "gone"
assert_contains "$ERR" "alpha: left unchanged: the instance's services are placed over all of its hosts, and gone could not be read"
assert_eq "" "$(names_on 1 "$inst-down")" "nothing deployed on alpha"
