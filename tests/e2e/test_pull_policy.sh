#!/usr/bin/env bash
# Pull policy per service (`pull: always|missing|never`) and deploy --pull,
# which, when given, decides for every service. Hosts here are offline, as
# such hosts are in the field: `never` runs an image the host has without
# asking any registry, and fails clearly, before a container exists, when the
# host lacks it; a pull that cannot reach its registry fails clearly too. The
# policy does not change what runs: changing it replaces nothing.
# (No test reaches outside: the only registry asked for is on loopback, where
# nothing listens.)
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
need_hosts 1
need_jq

instance_on_host1

# An unknown value is a located template error, with a suggestion.
cat >"$T/typo.yaml" <<'EOF2'
web:
  image: local/busybox:1
  pull: nevr
EOF2
assert_exit 65 calzion validate "$T/typo.yaml"
assert_contains "$ERR" "typo.yaml:3:9: \"pull\" in service \"web\" must be one of \"always\", \"missing\", \"never\", not \"nevr\", did you mean \"never\"?"

# never, with the image on the host: it runs. render shows the policy.
cat >"$T/app.yaml" <<'EOF2'
services:
  web:
    image: local/busybox:1
    cmd: sleep 3600
    pull: never
  worker:
    image: local/busybox:1
    cmd: sleep 3601
EOF2
assert_exit 0 calzion render --format json "$T/app.yaml" "$inst"
assert_eq '"never" ""' "$(jq -c '.services[].pull' <<<"$OUT" | tr '\n' ' ' | sed 's/ $//')" "rendered pull"
assert_exit 0 cz deploy --dry-run "$T/app.yaml" "$inst"
assert_contains "$OUT" "host1: docker run --detach --pull=never --name ${inst}_web "
assert_contains "$OUT" "host1: docker run --detach --pull=missing --name ${inst}_worker "
# deploy --pull decides for every service, over their own policy.
assert_exit 0 cz deploy --dry-run --pull always "$T/app.yaml" "$inst"
assert_contains "$OUT" "host1: docker run --detach --pull=always --name ${inst}_web "
assert_contains "$OUT" "host1: docker run --detach --pull=always --name ${inst}_worker "
assert_exit 0 cz deploy "$T/app.yaml" "$inst"
assert_eq running "$(host_docker 1 inspect -f '{{.State.Status}}' "${inst}_web")" "web with pull: never"
web_id=$(host_docker 1 inspect -f '{{.Id}}' "${inst}_web")

# The policy is not part of what runs: changing it changes nothing.
sed -i 's/pull: never/pull: missing/' "$T/app.yaml"
assert_exit 0 cz plan --detailed-exitcode "$T/app.yaml" "$inst"
assert_contains "$OUT" "no changes"

# never, without the image on the host: a clear error, exit 1, nothing started,
# the old container keeps serving.
cat >"$T/missing.yaml" <<'EOF2'
services:
  web:
    image: local/absent-calzion-e2e:1
    cmd: sleep 3600
    pull: never
  worker:
    image: local/busybox:1
    cmd: sleep 3601
EOF2
assert_exit 1 cz deploy "$T/missing.yaml" "$inst"
assert_contains "$ERR" "service \"web\": image \"local/absent-calzion-e2e:1\" is not on the host, and pull policy \"never\" does not pull it"
assert_eq "$web_id" "$(host_docker 1 inspect -f '{{.Id}}' "${inst}_web")" "the old web after the failure"
assert_eq running "$(host_docker 1 inspect -f '{{.State.Status}}' "${inst}_web")" "the old web after the failure"
assert_eq '"failed"' "$(jq -c .status "$idir/revisions/2.json")" "status of the failed deploy"

# The template's `always` on an image of a registry nobody serves (loopback,
# port 9): the pull fails, clearly, exit 1.
cat >"$T/always.yaml" <<'EOF2'
services:
  web:
    image: 127.0.0.1:9/calzion-e2e/absent:1
    cmd: sleep 3600
    pull: always
EOF2
assert_exit 1 cz deploy "$T/always.yaml" "$inst"
assert_contains "$ERR" "service \"web\": cannot pull image \"127.0.0.1:9/calzion-e2e/absent:1\" (pull policy \"always\"): "
# With --pull never instead, the same image is simply not there.
assert_exit 1 cz deploy --pull never "$T/always.yaml" "$inst"
assert_contains "$ERR" "service \"web\": image \"127.0.0.1:9/calzion-e2e/absent:1\" is not on the host, and pull policy \"never\" does not pull it"

# deploy --pull never over a service's `always`: the local image runs without
# any registry being asked.
cat >"$T/override.yaml" <<'EOF2'
services:
  web:
    image: local/busybox:1
    cmd: sleep 3602
    pull: always
EOF2
assert_exit 0 cz deploy --pull never "$T/override.yaml" "$inst"
assert_eq "sleep 3602" "$(host_docker 1 inspect -f '{{join .Config.Cmd " "}}' "${inst}_web")" "web after --pull never"
