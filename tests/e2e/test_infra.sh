#!/usr/bin/env bash
# The infrastructure file (calzion(1) INFRASTRUCTURE FILE): found beside the template or with --infra,
# checked with located errors like a template (65), it names the hosts (by
# address, with a state directory of their own), each instance's hosts and
# variables. A deploy goes to all of an instance's hosts at once; --host picks
# among them and refuses others; an instance the file does not list needs
# --host. status, list and history read every host and name it.
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
need_hosts 2
need_jq

inst=$E2E_NAME
dir=$T/app
mkdir -p "$dir" "$T/beta-state"
cz() { calzion --ssh-config "$CZ_SSH_CONFIG" "$@"; }
on_exit cz --infra "$dir/calzion.infra.yaml" destroy --volumes --missing-ok "$inst"

cat >"$dir/app.yaml" <<'EOF'
services:
  web:
    image: local/busybox:1
    cmd: ["sh", "-c", "exec sleep 3600"]
    env: {GREETING: "${GREETING}", COLOR: "${COLOR:-none}"}
  worker:
    image: local/busybox:1
    cmd: ["sh", "-c", "exec sleep 3600"]
    env: {GREETING: "${GREETING}", COLOR: "${COLOR:-none}"}
EOF
# Messages name hosts as the file does: alpha is host1, beta is host2.
cat >"$dir/calzion.infra.yaml" <<EOF
hosts:
  alpha: host1
  beta: {address: host2, state_dir: $T/beta-state}
instances:
  $inst:
    hosts: [alpha, beta]
    vars: {GREETING: from-infra, COLOR: blue}
    place: {web: alpha, worker: beta}
  $inst-solo: {hosts: [beta]}
EOF

assert_exit 0 cz validate "$dir/app.yaml"
assert_eq "$dir/app.yaml: ok, with $dir/calzion.infra.yaml" "$ERR" "validate reads the file beside the template"

# Variables: the file's beat the environment, --set beats the file.
GREETING=from-env assert_exit 0 cz deploy --set COLOR=red "$dir/app.yaml" "$inst"
assert_contains "$ERR" "alpha web: create: new service"
assert_contains "$ERR" "beta worker: create: new service"
k=1
for svc in web worker; do
  assert_eq "from-infra red" "$(host_docker "$k" exec "${inst}_$svc" sh -c 'echo "$GREETING $COLOR"')" "env of $svc on host$k"
  k=2
done
# beta keeps its state where the file says; alpha in the default place.
assert_eq 1 "$(cat "$T/beta-state/instances/$inst/current")" "beta's state directory"
assert_eq 1 "$(cat "$CZ_HOST1_STATE/instances/$inst/current")" "alpha's state directory"
[ ! -e "$CZ_HOST2_STATE/instances/$inst" ] || fail "beta's state went to the default directory"

# Commands without a template find the file with --infra (or in the current
# directory), and read every host of the instance.
assert_exit 0 cz --infra "$dir/calzion.infra.yaml" --json status "$inst"
assert_eq '["alpha",1] ["beta",1]' "$(jq -c '.instances[] | [.host, .revision]' <<<"$OUT" | tr '\n' ' ' | sed 's/ $//')" "status on both hosts"
assert_exit 0 sh -c 'cd "$1" && shift && exec "$@"' sh "$dir" "$CALZION_BIN" --ssh-config "$CZ_SSH_CONFIG" list
assert_contains "$OUT" "alpha" "list finds calzion.infra.yaml in the current directory"
assert_contains "$OUT" "beta"
assert_exit 0 cz --infra "$dir/calzion.infra.yaml" --json history "$inst"
assert_eq '["alpha",1] ["beta",1]' "$(jq -c '.hosts[] | [.host, .current_revision]' <<<"$OUT" | tr '\n' ' ' | sed 's/ $//')" "history on both hosts"

# --host picks among the instance's hosts; others are refused.
assert_exit 0 cz --host beta deploy --force "$dir/app.yaml" "$inst"
assert_contains "$ERR" "beta: recorded revision 2"
assert_not_contains "$ERR" "alpha"
assert_exit 64 cz --host gamma deploy "$dir/app.yaml" "$inst"
assert_eq "calzion: error: --host \"gamma\" is not one of the hosts of instance \"$inst\" (alpha, beta)" "$ERR" "unknown --host"
assert_exit 64 cz deploy "$dir/app.yaml" "$inst-other" --set GREETING=x
assert_eq "calzion: error: instance \"$inst-other\" is not in \"$dir/calzion.infra.yaml\": add it under \"instances\", or name its hosts with --host" \
  "$ERR" "an instance the file does not list"

# A broken file: every problem located, exit 65, nothing deployed.
cat >"$T/broken.yaml" <<EOF
hosts:
  alpha: host1
instances:
  $inst:
    hosts: [alpha, betta]
    place: {wbe: alpha}
EOF
assert_exit 65 cz --infra "$T/broken.yaml" deploy "$dir/app.yaml" "$inst"
assert_contains "$ERR" "calzion: error: $T/broken.yaml:5:20: \"hosts\" of instance \"$inst\" names host \"betta\", which \"hosts\" does not define"
sed -i 's/, betta//' "$T/broken.yaml"
assert_exit 65 cz --infra "$T/broken.yaml" validate "$dir/app.yaml"
assert_contains "$ERR" "$T/broken.yaml:6:13: instance \"$inst\" names service \"wbe\", which the template does not have, did you mean \"web\"?"
assert_exit 64 cz --infra "$T/missing.yaml" status "$inst"
assert_contains "$ERR" "cannot read \"$T/missing.yaml\""
