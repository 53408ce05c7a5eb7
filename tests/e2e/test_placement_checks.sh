#!/usr/bin/env bash
# An instance placed over several hosts: what only the placement or the hosts'
# state can reveal is refused before any host changes (an expose across hosts
# to a port that is not published, a domain another instance routes on that
# host), with the problem located in the file; render shows the address an
# expose across hosts gets; exec, logs and restart of a service act on the host
# that runs it.
# ctest: RESOURCE_LOCK host1-router
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
need_hosts 3
need_jq

router_image_on_host1

inst=$E2E_NAME
other=$E2E_NAME-other
dir=$T/app
mkdir -p "$dir"
infra=$dir/calzion.infra.yaml
other_infra=$T/other.infra.yaml
cz() { calzion --ssh-config "$CZ_SSH_CONFIG" --infra "$infra" "$@"; }
on_exit cz destroy --volumes "$inst" --lock-timeout 30s
on_exit calzion --ssh-config "$CZ_SSH_CONFIG" --infra "$other_infra" destroy --volumes "$other" --lock-timeout 30s
on_exit host_docker 1 rm --force calzion-router

# db publishes no host port, yet app on another host uses it.
write_template() {
  cat >"$dir/app.yaml" <<EOF
services:
  db:
    image: local/busybox:1
    cmd: ["sh", "-c", "echo db-here > /www/index.html; exec httpd -f -p 5432 -h /www"]
    volumes: [/www]
    register: {5432: sql}
$1
  app:
    image: local/busybox:1
    cmd: ["sh", "-c", "echo app-log-line; exec sleep 3600"]
    expose: {"db:sql": DB}
EOF
}
write_template ""
cat >"$infra" <<EOF
hosts:
  h1: {address: host1, private_address: $CZ_HOST1_ADDR}
  h2: {address: host2, private_address: $CZ_HOST2_ADDR}
  h3: {address: host3, private_address: $CZ_HOST3_ADDR}
instances:
  $inst:
    hosts: [h1, h2, h3]
    place: {db: h2, app: h1}
    domains: {app: taken.example.test}
router: {image: local/nginx:router}
EOF
names_on() { host_docker "$1" ps -a --filter "label=io.calzion.instance=$2" --format '{{.Names}}' | sort | tr '\n' ' '; }
untouched() {  # INSTANCE: no container and no state of it on any host
  local k s
  for k in 1 2 3; do
    assert_eq "" "$(names_on "$k" "$1")" "no container of $1 on host$k"
    s=CZ_HOST${k}_STATE
    [ ! -e "${!s}/instances/$1/current" ] || fail "a revision of $1 was recorded on host$k"
  done
}

# The expose across hosts: render, plan and deploy say where, and no host changes.
msg="app.yaml:11:14: service \"app\" on \"h1\" uses port 5432 of \"db\" on \"h2\", which publishes no host port for it"
assert_exit 65 cz validate "$dir/app.yaml"
assert_contains "$ERR" "$msg"
assert_exit 65 cz render "$dir/app.yaml" "$inst"
assert_contains "$ERR" "$msg"
assert_exit 65 cz plan "$dir/app.yaml" "$inst"
assert_contains "$ERR" "$msg"
assert_exit 65 cz deploy "$dir/app.yaml" "$inst"
assert_contains "$ERR" "$msg"
untouched "$inst"

# Published: render shows the address the container will get.
write_template '    ports: ["15999:5432"]'
assert_exit 0 cz render --format json "$dir/app.yaml" "$inst"
assert_eq "$CZ_HOST2_ADDR:15999" "$(jq -r '.services[] | select(.name == "app") | .env.DB' <<<"$OUT")" "rendered DB"

# Another instance (from another infrastructure file) routes the domain on
# host1 already: refused before any host changes, located in the file.
cat >"$other_infra" <<EOF
hosts:
  one: {address: host1}
instances:
  $other: {hosts: [one], domains: {web: taken.example.test}}
router: {image: local/nginx:router}
EOF
cat >"$T/other.yaml" <<'EOF'
web:
  image: local/busybox:1
  cmd: ["sh", "-c", "exec httpd -f -p 80 -h /"]
EOF
assert_exit 0 calzion --ssh-config "$CZ_SSH_CONFIG" --infra "$other_infra" deploy "$T/other.yaml" "$other"
dmsg="calzion.infra.yaml:9:20: domain \"taken.example.test\" of service \"app\" is already routed on \"h1\" to service \"web\" of instance \"$other\": a domain can go to one service only"
assert_exit 65 cz plan "$dir/app.yaml" "$inst"
assert_contains "$ERR" "$dmsg"
assert_exit 65 cz deploy "$dir/app.yaml" "$inst"
assert_contains "$ERR" "$dmsg"
untouched "$inst"
# Nothing of it was recorded, so host1's router still syncs.
assert_exit 0 calzion --ssh-config "$CZ_SSH_CONFIG" --infra "$other_infra" router sync --image local/nginx:router

# Without the taken domain it deploys; app gets db's address on host2.
sed -i '/domains: {app: taken.example.test}/d' "$infra"
assert_exit 0 cz deploy "$dir/app.yaml" "$inst"
assert_eq "${inst}_db " "$(names_on 2 "$inst")" "db on host2"
assert_eq "${inst}_app " "$(names_on 1 "$inst")" "app on host1"
assert_eq "" "$(names_on 3 "$inst")" "nothing on host3"
# shellcheck disable=SC2016 # $DB is the container's
assert_eq "$CZ_HOST2_ADDR:15999" "$(host_docker 1 exec "${inst}_app" sh -c 'printf %s "$DB"')" "DB in the container"

# exec, logs and restart act on the host that runs the service.
# shellcheck disable=SC2016 # $DB is the container's
assert_exit 0 cz exec "$inst" app -- sh -c 'wget -qO- "http://$DB/"'
assert_eq "db-here" "$OUT" "exec in app on host1 reaches db on host2"
assert_exit 0 cz exec "$inst" db -- cat /www/index.html
assert_eq "db-here" "$OUT" "exec in db on host2"
assert_exit 0 cz logs "$inst" app
assert_eq "app-log-line" "$OUT" "logs of app, without a host prefix: it runs on one host"
id_db=$(host_docker 2 inspect -f '{{.State.StartedAt}}' "${inst}_db")
started=$(host_docker 1 inspect -f '{{.State.StartedAt}}' "${inst}_app")
assert_exit 0 cz restart "$inst" app
assert_contains "$ERR" "h1 app: started"
assert_not_contains "$ERR" "unknown service"
[ "$started" != "$(host_docker 1 inspect -f '{{.State.StartedAt}}' "${inst}_app")" ] || fail "app was not restarted"
assert_eq "$id_db" "$(host_docker 2 inspect -f '{{.State.StartedAt}}' "${inst}_db")" "db left alone"
assert_exit 0 cz stop "$inst" db
assert_eq "exited" "$(host_docker 2 inspect -f '{{.State.Status}}' "${inst}_db")" "db stopped"
assert_exit 0 cz start "$inst" db
assert_eq "running" "$(host_docker 2 inspect -f '{{.State.Status}}' "${inst}_db")" "db started"
# A service no host runs is still an error, before anything changes.
assert_exit 64 cz restart "$inst" app nosuch
assert_contains "$ERR" "unknown service \"nosuch\" in instance \"$inst\""
assert_exit 64 cz exec "$inst" nosuch -- true
assert_contains "$ERR" "unknown service \"nosuch\" in instance \"$inst\""
