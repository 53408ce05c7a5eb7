#!/usr/bin/env bash
# Services built from source (`git:` and `build:`): calzion streams `git
# archive` of the commit from here over the SSH connection into `docker build`
# on the host (no registry), tags the image <instance>_<service>:<commit12>, and
# runs it. An unchanged commit is neither rebuilt nor replaced; a new commit is
# built and replaces the container. A context with uncommitted changes is
# refused unless --allow-dirty, which builds the working tree under a
# "-dirty-<tree hash>" tag. --build-local builds on this machine and sends the
# image with docker save | docker load through calzion's connection.
#
# This machine has no docker engine of its own: for --build-local, "this
# machine's engine" is host2's, reached with DOCKER_HOST (as
# test_local_host.sh does). The image then has the same id on host2 (built
# there, by the local side) and on host1 (loaded), which a build on host1 could
# not give (a build stamps its own creation time).
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
need_hosts 2
need_jq

repo=$T/src
inst=$E2E_NAME

# Built images outlive destroy (docker keeps them): remove them from both
# engines once the instance is gone (registered first, so it runs last).
remove_images() {
  local images
  mapfile -t images < <(host_docker "$1" images --filter "reference=$inst-*" --format '{{.Repository}}:{{.Tag}}')
  [ ${#images[@]} = 0 ] || host_docker "$1" image rm "${images[@]}"
}
on_exit remove_images 1
on_exit remove_images 2
instance_on_host1

git_() { git -C "$repo" -c user.name=test -c user.email=test@example.com "$@"; }
mkdir -p "$repo/api"
git_ init -q
cat >"$repo/Dockerfile" <<'EOF'
FROM local/busybox:1
COPY page.txt /page.txt
CMD ["sleep", "3600"]
EOF
echo "version one" >"$repo/page.txt"
# build: a context inside the repository, its own Dockerfile, an argument and a
# target (the stage after it would fail if it were built).
cat >"$repo/api/Dockerfile.api" <<'EOF'
FROM local/busybox:1 AS base
ARG GREETING=none
RUN echo "$GREETING from api" > /greeting
FROM base AS final
CMD ["sleep", "3600"]
FROM base AS broken
RUN false
EOF
git_ add -A
git_ commit -qm one
c1=$(git_ rev-parse HEAD)

cat >"$T/app.yaml" <<'EOF'
services:
  web:
    git: src
  api:
    build:
      context: src/api
      dockerfile: Dockerfile.api
      args: {GREETING: "hello $$(not run)"}
      target: final
EOF

image_of() { host_docker 1 inspect -f '{{.Config.Image}}' "${inst}_$1"; }
container_id() { host_docker 1 inspect -f '{{.Id}}' "${inst}_$1"; }

# --- first deploy: built on host1 from the commit, tagged with it -------------
assert_exit 0 cz deploy "$T/app.yaml" "$inst"
assert_contains "$ERR" "host1 web: create: new service, build ${inst}_web:${c1:0:12}"
assert_contains "$ERR" "host1 web: build ${inst}_web:${c1:0:12} on the host"
assert_contains "$ERR" "host1 web: built ${inst}_web:${c1:0:12}"
assert_contains "$ERR" "host1 api: built ${inst}_api:${c1:0:12}"
assert_eq "${inst}_web:${c1:0:12}" "$(image_of web)" "image of web"
assert_eq "${inst}_api:${c1:0:12}" "$(image_of api)" "image of api"
assert_eq "version one" "$(host_docker 1 exec "${inst}_web" cat /page.txt)" "built content in web"
# shellcheck disable=SC2016
assert_eq 'hello $(not run) from api' "$(host_docker 1 exec "${inst}_api" cat /greeting)" "build argument in api"
assert_eq "${inst}_web:${c1:0:12}" \
  "$(jq -r '.deployment.services[] | select(.name == "web") | .image' "$CZ_HOST1_STATE/instances/$inst/revisions/1.json")" \
  "recorded image"
# The context came over stdin: nothing was copied to the host's disk.
assert_eq "" "$(find "$CZ_HOST1_STATE" "$CZ_HOST1_HOME" -name 'page.txt' 2>/dev/null)" "context files on the host"
web_id=$(container_id web)
image_id=$(host_docker 1 image inspect -f '{{.Id}}' "${inst}_web:${c1:0:12}")

# --- same commit: no build, nothing replaced ---------------------------------
assert_exit 0 cz plan --detailed-exitcode "$T/app.yaml" "$inst"
assert_contains "$OUT" "host1: $inst at revision 1, no changes"
assert_exit 0 cz deploy "$T/app.yaml" "$inst"
assert_contains "$ERR" "host1: up to date at revision 1"
assert_not_contains "$ERR" "build"
assert_eq "$web_id" "$(container_id web)" "web container after an unchanged deploy"
assert_eq "$image_id" "$(host_docker 1 image inspect -f '{{.Id}}' "${inst}_web:${c1:0:12}")" "image after an unchanged deploy"

# --- a new commit: plan says build, dry run shows the pipeline, deploy replaces
echo "version two" >"$repo/page.txt"
git_ commit -qam two
c2=$(git_ rev-parse HEAD)
assert_exit 2 cz plan --detailed-exitcode "$T/app.yaml" "$inst"
grep -qE "^  ~ web +replace: spec changed, build ${inst}_web:${c2:0:12} \(image\)$" <<<"$OUT" || fail "plan of a new commit: $OUT"
assert_exit 0 cz deploy --dry-run "$T/app.yaml" "$inst"
assert_contains "$OUT" "local: git -C $repo archive --format=tar $c2"$'\n'"host1: docker build --force-rm --tag ${inst}_web:${c2:0:12} -"
assert_contains "$OUT" "local: git -C $repo archive --format=tar $c2:api/"$'\n'"host1: docker build --force-rm --tag ${inst}_api:${c2:0:12} --file Dockerfile.api --build-arg 'GREETING=hello \$(not run)' --target final -"
assert_exit 1 host_docker 1 image inspect "${inst}_web:${c2:0:12}"
assert_eq "$web_id" "$(container_id web)" "web container after a dry run"

assert_exit 0 cz deploy "$T/app.yaml" "$inst"
assert_contains "$ERR" "host1 web: replace (start-first): spec changed, build ${inst}_web:${c2:0:12}"
assert_eq "${inst}_web:${c2:0:12}" "$(image_of web)" "image of web after a commit"
assert_eq "version two" "$(host_docker 1 exec "${inst}_web" cat /page.txt)" "content after a commit"
[ "$(container_id web)" != "$web_id" ] || fail "web was not replaced after a new commit"

# --- uncommitted changes: refused, then built as they are with --allow-dirty --
echo "draft" >"$repo/page.txt"
web_id=$(container_id web)
api_id=$(container_id api)
assert_exit 64 cz deploy "$T/app.yaml" "$inst"
assert_contains "$ERR" "calzion: error: service \"web\": the git repository \"$repo\" has uncommitted changes (page.txt): commit them, or deploy with --allow-dirty to build the working tree as it is"
assert_exit 64 cz plan "$T/app.yaml" "$inst"
assert_eq "$web_id" "$(container_id web)" "web after a refused deploy"

assert_exit 0 cz deploy --allow-dirty "$T/app.yaml" "$inst"
dirty_image=$(image_of web)
[[ $dirty_image =~ ^${inst}_web:${c2:0:12}-dirty-[0-9a-f]{12}$ ]] || fail "image of a dirty build: $dirty_image"
assert_eq "draft" "$(host_docker 1 exec "${inst}_web" cat /page.txt)" "content of a dirty build"
# api's context (api/) has no changes: it keeps its commit image and container.
assert_eq "${inst}_api:${c2:0:12}" "$(image_of api)" "api image during a dirty build"
assert_eq "$api_id" "$(container_id api)" "api container during a dirty build"
# The same uncommitted changes: nothing to build; new ones: built again.
assert_exit 0 cz deploy --allow-dirty "$T/app.yaml" "$inst"
assert_contains "$ERR" "host1: up to date"
echo "draft 2" >"$repo/page.txt"
assert_exit 0 cz deploy --allow-dirty "$T/app.yaml" "$inst"
[ "$(image_of web)" != "$dirty_image" ] || fail "a second change to the working tree kept the image $dirty_image"
assert_eq "draft 2" "$(host_docker 1 exec "${inst}_web" cat /page.txt)" "content of a second dirty build"
# The user's repository is as it was: the change still uncommitted, no index left over.
assert_eq " M page.txt" "$(git_ status --porcelain)" "git status after dirty builds"
assert_eq "" "$(find "$repo/.git" -maxdepth 1 -name 'calzion-index*')" "temporary index left in .git"
git_ checkout -q page.txt

# --- --build-local: built by this machine's engine (host2's, via DOCKER_HOST),
# sent to host1 with docker save | docker load --------------------------------
echo "version three" >"$repo/page.txt"
git_ commit -qam three
c3=$(git_ rev-parse HEAD)
cz_engine2() { DOCKER_HOST=$CZ_HOST2_DOCKER_HOST cz "$@"; }
assert_exit 0 cz_engine2 deploy --dry-run --build-local "$T/app.yaml" "$inst"
assert_contains "$OUT" "local: git -C $repo archive --format=tar $c3"$'\n'"local: docker build --force-rm --tag ${inst}_web:${c3:0:12} -"$'\n'"local: docker save ${inst}_web:${c3:0:12}"$'\n'"host1: docker load"
assert_exit 1 host_docker 2 image inspect "${inst}_web:${c3:0:12}"

assert_exit 0 cz_engine2 deploy --build-local "$T/app.yaml" "$inst"
assert_contains "$ERR" "host1 web: build ${inst}_web:${c3:0:12} here"
assert_contains "$ERR" "host1 web: send ${inst}_web:${c3:0:12} (docker save | docker load)"
assert_contains "$ERR" "host1 web: loaded ${inst}_web:${c3:0:12}"
assert_not_contains "$ERR" "on the host"
local_id=$(host_docker 2 image inspect -f '{{.Id}}' "${inst}_web:${c3:0:12}")
assert_eq "$local_id" "$(host_docker 1 image inspect -f '{{.Id}}' "${inst}_web:${c3:0:12}")" "id of the sent image on host1"
assert_eq "${inst}_web:${c3:0:12}" "$(image_of web)" "image of web after --build-local"
assert_eq "version three" "$(host_docker 1 exec "${inst}_web" cat /page.txt)" "content after --build-local"
# Nothing of the instance runs on the building engine: it only built.
assert_eq "" "$(host_docker 2 ps -aq --filter "label=io.calzion.instance=$inst")" "containers on the local engine"

# --- a failed build: exit 1 with docker's last lines, nothing replaced --------
# (failing in the first step: no intermediate image is left on the host)
printf 'FROM local/busybox:1\nRUN echo "step output"; false\n' >"$repo/Dockerfile"
git_ commit -qam broken
c4=$(git_ rev-parse HEAD)
web_id=$(container_id web)
current=$(cat "$CZ_HOST1_STATE/instances/$inst/current")
assert_exit 1 cz deploy "$T/app.yaml" "$inst"
assert_contains "$ERR" "host1 web: build ${inst}_web:${c4:0:12} on the host"
assert_contains "$ERR" "calzion: error: host1: service \"web\": docker build failed (exit 1); its last lines:"
assert_contains "$ERR" "step output"
assert_eq "$web_id" "$(container_id web)" "web container after a failed build"
assert_eq "version three" "$(host_docker 1 exec "${inst}_web" cat /page.txt)" "content after a failed build"
assert_exit 1 host_docker 1 image inspect "${inst}_web:${c4:0:12}"
assert_eq "$current" "$(cat "$CZ_HOST1_STATE/instances/$inst/current")" "no revision recorded for a failed build"

# --- not a git repository: an invalid template (65) --------------------------
mkdir -p "$T/plain"
cat >"$T/plain.yaml" <<'EOF'
web:
  git: plain
EOF
assert_exit 65 cz plan "$T/plain.yaml" "$inst"
assert_contains "$ERR" "service \"web\": the build context \"$T/plain\" is not a directory in a git repository"
