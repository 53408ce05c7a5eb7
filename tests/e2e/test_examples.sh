#!/usr/bin/env bash
# Every template in examples/ validates and renders (the same bytes twice),
# and the ones that run offline deploy on a real host and serve: hello as two
# instances side by side, each on its own port, and origins (the short form,
# its app built from the example's own directory of this repository) finds its
# stand-in database. shop (real registry images) renders its URLs and secrets
# as a user would expect. pipeline runs its job (build, two tasks, release).
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
need_hosts 1
need_jq

examples=$(cd "$(dirname "$0")/../../examples" && pwd)
count=0
for template in "$examples"/*/calzion.yaml; do
  assert_exit 0 calzion validate "$template"
  assert_exit 0 calzion render --format json "$template" example-a
  first=$OUT
  assert_exit 0 calzion render --format json "$template" example-a
  assert_eq "$first" "$OUT" "render of $template is stable"
  count=$((count + 1))
done
[ "$count" -ge 2 ] || fail "expected at least two examples, found $count"

# shop: URLs built from expose, secrets named but never valued.
assert_exit 0 calzion render --format json "$examples/shop/calzion.yaml" shop-prod
assert_eq "postgres://shop@postgres:5432/shop redis://redis:6379/0" \
  "$(jq -r '.services[] | select(.name == "worker") | "\(.env.DATABASE_URL) \(.env.REDIS_URL)"' <<<"$OUT")" "shop URLs"
assert_eq "postgres redis web worker" "$(jq -r '[.services[].name] | join(" ")' <<<"$OUT")" "shop start order"
assert_eq '["POSTGRES_PASSWORD","SECRET_KEY"]' "$(jq -c '.services[] | select(.name == "web") | .secrets' <<<"$OUT")" "shop secrets"

# hello, twice on one host.
cz() { calzion --ssh-config "$CZ_SSH_CONFIG" --host host1 "$@"; }
for which in staging:18081 prod:18082; do
  name=${E2E_NAME}-${which%%:*}
  on_exit cz destroy --volumes --missing-ok "$name"
  assert_exit 0 cz deploy "$examples/hello/calzion.yaml" "$name" --set PORT="${which##*:}"
done
for which in staging:18081 prod:18082; do
  name=${E2E_NAME}-${which%%:*}
  page=$(timeout 5 busybox wget -qO- "http://$CZ_HOST1_ADDR:${which##*:}/" 2>&1)
  assert_contains "$page" "<h1>$name</h1>" "hello $name answers on its port"
  assert_contains "$page" "hello from the backend of $name" "hello $name reaches its own backend"
done

# origins: the short form, the app built from source on the host.
origins=${E2E_NAME}-origins
on_exit cz destroy --volumes --missing-ok "$origins"
# --allow-dirty: a working copy with local edits builds them (a clean clone
# builds the commit).
assert_exit 0 cz deploy --allow-dirty "$examples/origins/calzion.yaml" "$origins"
assert_exit 0 host_docker 1 exec "${origins}_busybox" timeout 5 wget -qO- http://app:3000/
assert_eq "app of $origins
database driver at busybox:28015
database says: stand-in database of $origins" "$OUT" "origins app page"

# pipeline: its job runs offline, build, both tasks, then the release, from a
# repository of its own with the example where it is in this one (the steps
# `cd examples/pipeline`).
pipeline=${E2E_NAME}-pipeline
on_exit rm -rf "$CZ_HOST1_STATE/instances/$pipeline"
on_exit cz destroy --volumes --missing-ok "$pipeline"
repo=$T/pipeline-repo
mkdir -p "$repo/examples"
cp -r "$examples/pipeline" "$repo/examples/pipeline"
rm -rf "$repo/examples/pipeline/dist"
git -C "$repo" init -q
git -C "$repo" add -A
git -C "$repo" -c user.name=e2e -c user.email=e2e@example.invalid commit -qm "the pipeline example"
sha=$(git -C "$repo" rev-parse HEAD)
assert_exit 0 calzion pipeline validate "$repo/examples/pipeline/calzion.yaml"
assert_exit 0 cz pipeline run "$repo/examples/pipeline/calzion.yaml" "$pipeline" --ref HEAD --json
assert_eq "succeeded $sha build:succeeded lint:succeeded unit:succeeded release:succeeded" \
  "$(jq -r '.job | "\(.state) \(.commit.sha) \([.steps[] | "\(.name):\(.state)"] | join(" "))"' <<<"$OUT")" "the example's job"
job=$(jq -r .job.id <<<"$OUT")
assert_exit 0 cz job logs "$job" unit
assert_contains "$OUT" "ok: greet Ada"
assert_exit 0 cz job logs "$job" release
assert_contains "$OUT" "releasing $sha to stable"
assert_contains "$OUT" "$(printf 'hello, pipeline!\n' | sha256sum | cut -c1-64)  index.html"
assert_contains "$OUT" "$(printf '%s\n' "$sha" | sha256sum | cut -c1-64)  VERSION"
