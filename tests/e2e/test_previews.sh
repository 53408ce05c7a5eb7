#!/usr/bin/env bash
# Preview instances (calzion(1) INFRASTRUCTURE FILE, "previews"): an instance
# listed with `previews` makes "<instance>-<suffix>" exist without being
# listed. A plain deploy of "<instance>-pr-7" runs on the instance's hosts
# with the preview's own variables and its domain "{suffix}.preview.test"
# routed by the router, not the instance's own domain; render shows that
# route; destroy --volumes removes the preview, its data and its route. A
# preview whose domain is another instance's is refused (65).
# ctest: RESOURCE_LOCK host1-router
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
need_hosts 2
need_jq

router_image_on_host1

base=$E2E_NAME
preview=$base-pr-7
infra=$T/calzion.infra.yaml
cz() { calzion --ssh-config "$CZ_SSH_CONFIG" --infra "$infra" "$@"; }
on_exit cz destroy --volumes --missing-ok "$preview" --lock-timeout 30s
on_exit host_docker 1 rm --force calzion-router

cat >"$T/app.yaml" <<'EOF2'
services:
  web:
    image: local/busybox:1
    cmd: ["sh", "-c", "echo \"$$GREETING $$CALZION_INSTANCE\" > /www/index.html; exec httpd -f -p 80 -h /www"]
    env: {GREETING: "${GREETING}", SUFFIX: "${preview_suffix:-none}", TIER: "${TIER}"}
    volumes: [/www, "data:/data"]
EOF2
cat >"$infra" <<EOF2
hosts:
  one: host1
  two: host2
instances:
  $base:
    hosts: [one]
    vars: {GREETING: hello, TIER: staging}
    domains: {web: base.preview.test}
    previews:
      domains: {web: "{suffix}.preview.test"}
      vars: {GREETING: "hello {suffix}"}
  $base-fixed: {hosts: [two], domains: {web: pr-8.preview.test}}
router: {image: local/nginx:router}
EOF2

fetch() {  # DOMAIN: what host1's port 80 answers for it ("404" when nothing)
  local out
  out=$(timeout 10 busybox wget -q -O - --header "Host: $1" "http://$CZ_HOST1_ADDR/" 2>&1) || { echo 404; return; }
  echo "$out"
}

# render shows the preview's route: its own domain, not the instance's.
assert_exit 0 cz render --format json "$T/app.yaml" "$preview"
assert_eq '[{"domain":"pr-7.preview.test","port":80}]' "$(jq -c '.services[0].routes' <<<"$OUT")" "rendered routes"
assert_eq '["GREETING=hello pr-7","SUFFIX=pr-7","TIER=staging"]' \
  "$(jq -c '[.services[0].env | to_entries[] | select(.key == "GREETING" or .key == "SUFFIX" or .key == "TIER") | "\(.key)=\(.value)"]' <<<"$OUT")" \
  "rendered variables"

# A plain deploy: the infrastructure file makes the preview exist, on the
# instance's host.
assert_exit 0 cz deploy "$T/app.yaml" "$preview"
assert_contains "$ERR" "one: router serves pr-7.preview.test"
assert_eq "hello pr-7 $preview" "$(fetch pr-7.preview.test)" "pr-7.preview.test"
assert_eq 404 "$(fetch base.preview.test)" "the instance's own domain"
assert_eq "pr-7 staging" "$(host_docker 1 exec "${preview}_web" sh -c 'echo "$SUFFIX $TIER"')" "env of the preview"
assert_eq "" "$(host_docker 2 ps -aq --filter "label=io.calzion.instance=$preview")" "nothing on host2"
assert_eq '[{"domain":"pr-7.preview.test","port":80}]' \
  "$(jq -c '.deployment.services[0].routes' "$CZ_HOST1_STATE/instances/$preview/revisions/1.json")" "recorded routes"
assert_exit 0 host_docker 1 volume inspect "cz_${preview}_data"

# A preview whose domain another instance has is refused, located at the pattern.
assert_exit 65 cz deploy "$T/app.yaml" "$base-pr-8"
assert_contains "$ERR" "calzion: error: $infra:10:22: domain \"pr-8.preview.test\" of preview instance \"$base-pr-8\" is used by instance \"$base-fixed\" on line 12"
assert_eq "" "$(host_docker 1 ps -aq --filter "label=io.calzion.instance=$base-pr-8")" "nothing of the refused preview"

# The pull request is closed: destroy --volumes takes the preview, its data and its route.
assert_exit 0 cz destroy --volumes "$preview"
assert_contains "$ERR" "one: destroyed \"$preview\" (1 container, with its data)"
assert_eq "" "$(host_docker 1 ps -aq --filter "label=io.calzion.instance=$preview")" "containers after destroy"
assert_exit 1 host_docker 1 volume inspect "cz_${preview}_data"
assert_eq 404 "$(fetch pr-7.preview.test)" "the destroyed preview's domain"
