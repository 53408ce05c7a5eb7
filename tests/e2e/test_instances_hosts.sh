#!/usr/bin/env bash
# calzion(1) FILES: two instances of one template on one host coexist (own containers,
# networks, state) and cannot reach each other's services, by name or by
# address. One command deploys to two hosts at once (--host host1 --host
# host2), each host planning and recording on its own.
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
need_hosts 2
need_jq

a=$E2E_NAME-a
b=$E2E_NAME-b
m=$E2E_NAME-m
cz() { calzion --ssh-config "$CZ_SSH_CONFIG" "$@"; }
on_exit cz --host host1 destroy --volumes --missing-ok "$a" --lock-timeout 60s
on_exit cz --host host1 destroy --volumes --missing-ok "$b"
on_exit cz --host host1 --host host2 destroy --volumes --missing-ok "$m"

cat >"$T/app.yaml" <<'EOF'
services:
  web:
    image: local/busybox:1
    cmd: ["sh", "-c", "mkdir -p /www && echo \"page of $$CALZION_INSTANCE\" > /www/index.html && exec httpd -f -p 8080 -h /www"]
  client:
    image: local/busybox:1
    cmd: sleep 3600
EOF

# Both instances at once, on one host.
cz --host host1 deploy "$T/app.yaml" "$a" >"$T/a.out" 2>&1 &
pid_a=$!
assert_exit 0 cz --host host1 deploy "$T/app.yaml" "$b"
wait "$pid_a" || fail "deploy of $a failed: $(cat "$T/a.out")"

for i in "$a" "$b"; do
  assert_eq "${i}_client ${i}_web" \
    "$(host_docker 1 ps --filter "label=io.calzion.instance=$i" --format '{{.Names}}' | sort | tr '\n' ' ' | sed 's/ $//')" \
    "containers of $i"
  assert_eq "cz-$i" "$(host_docker 1 inspect -f '{{range $k, $v := .NetworkSettings.Networks}}{{$k}}{{end}}' "${i}_client")" "network of ${i}_client"
  assert_eq 1 "$(cat "$CZ_HOST1_STATE/instances/$i/current")" "current of $i"
done

# fetch K INSTANCE URL: what INSTANCE's client on host K gets from URL.
fetch() { host_docker "$1" exec "${2}_client" timeout 5 wget -qO- "$3"; }
assert_eq "page of $a" "$(fetch 1 "$a" http://web:8080/)" "web as $a's client sees it"
assert_eq "page of $b" "$(fetch 1 "$b" http://web:8080/)" "web as $b's client sees it"

# "web" resolves to the instance's own web only; the other's is not reachable
# by container name nor by address.
ip_a=$(host_docker 1 inspect -f "{{(index .NetworkSettings.Networks \"cz-$a\").IPAddress}}" "${a}_web")
ip_b=$(host_docker 1 inspect -f "{{(index .NetworkSettings.Networks \"cz-$b\").IPAddress}}" "${b}_web")
[ -n "$ip_a" ] && [ -n "$ip_b" ] && [ "$ip_a" != "$ip_b" ] || fail "web addresses: '$ip_a' '$ip_b'"
assert_exit 0 host_docker 1 exec "${a}_client" nslookup web
assert_contains "$OUT" "$ip_a"
assert_not_contains "$OUT" "$ip_b"
# unreachable K INSTANCE URL: INSTANCE's client on host K gets nothing from URL
# (an unknown name or a dropped connection: an error or the 2 s timeout).
unreachable() {
  local out
  if out=$(host_docker "$1" exec "${2}_client" timeout 2 wget -qO- "$3" 2>&1); then
    fail "$2's client reached $3: $out"
  fi
  assert_not_contains "$out" "page of"
}
unreachable 1 "$a" "http://${b}_web:8080/"
unreachable 1 "$b" "http://${a}_web:8080/"
unreachable 1 "$a" "http://$ip_b:8080/"
unreachable 1 "$b" "http://$ip_a:8080/"

# Destroying one leaves the other serving.
assert_exit 0 cz --host host1 destroy --volumes "$a"
assert_eq "" "$(host_docker 1 ps -aq --filter "label=io.calzion.instance=$a")" "containers of $a after its destroy"
assert_eq "page of $b" "$(fetch 1 "$b" http://web:8080/)" "$b after destroying $a"
assert_exit 0 cz --host host1 plan --detailed-exitcode "$T/app.yaml" "$b"

# Two hosts: host1 gets the instance first, then one command covers both.
assert_exit 0 cz --host host1 deploy "$T/app.yaml" "$m"
assert_exit 2 cz --host host1 --host host2 plan --detailed-exitcode "$T/app.yaml" "$m"
assert_contains "$OUT" "host1: $m at revision 1, no changes"
assert_contains "$OUT" "host2: $m at revision 0 -> 1"
assert_exit 0 cz --host host1 --host host2 deploy "$T/app.yaml" "$m"
assert_contains "$ERR" "host1: up to date at revision 1"
assert_contains "$ERR" "host2 web: create: new service"
assert_contains "$ERR" "host2: recorded revision 1"
for k in 1 2; do
  assert_eq "page of $m" "$(fetch "$k" "$m" http://web:8080/)" "web of $m on host$k"
  st=CZ_HOST${k}_STATE
  assert_eq 1 "$(cat "${!st}/instances/$m/current")" "current of $m on host$k"
done

# A change goes to both hosts in parallel, each recording its own revision.
sed -i 's/cmd: sleep 3600/cmd: sleep 3601/' "$T/app.yaml"
assert_exit 0 cz --host host1 --host host2 --json deploy "$T/app.yaml" "$m"
assert_eq '[["host1",1,2,"replace"],["host2",1,2,"replace"]]' \
  "$(jq -c '[.hosts[] | [.host, .revision_before, .revision_after, (.actions[] | select(.service == "client") | .action)]]' <<<"$OUT")" \
  "deploy --json on two hosts"
for k in 1 2; do
  assert_eq "sleep 3601" "$(host_docker "$k" inspect -f '{{join .Config.Cmd " "}}' "${m}_client")" "client of $m on host$k"
done
assert_exit 0 cz --host host1 --host host2 --json status "$m"
assert_eq '[["host1",2],["host2",2]]' "$(jq -c '[.instances[] | [.host, .revision]]' <<<"$OUT")" "status on two hosts"
