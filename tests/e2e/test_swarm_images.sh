#!/usr/bin/env bash
# Images built from source reach every node of a swarm (calzion(1)
# INFRASTRUCTURE FILE, "Docker Swarm", images):
#   - with the file's `registry` (Debian's docker-registry on host1), the image
#     is built on the manager, named <registry>/<instance>_<service>:<commit>,
#     pushed, and every node's task runs it;
#   - without one, the image is built on the manager and loaded on every other
#     node over SSH before the service is created, and every node's task runs it.
# shellcheck source=lib/e2e.sh
. "$(dirname "$0")/lib/e2e.sh"
# shellcheck source=lib/swarm.sh
. "$(dirname "$0")/lib/swarm.sh"
need_swarm

pushed=$E2E_NAME-reg
loaded=$E2E_NAME-load
repo=$T/src
cz() { calzion --ssh-config "$CZ_SSH_CONFIG" --infra "$1" "${@:2}"; }
# Built images outlive destroy: remove them from every node once the instances are gone.
remove_images() {
  local k images
  for k in 1 2 3; do
    mapfile -t images < <(host_docker "$k" images --format '{{.Repository}}:{{.Tag}}' | grep -e "${E2E_NAME}-" || true)
    [ ${#images[@]} = 0 ] || host_docker "$k" image rm "${images[@]}"
  done
}
on_exit remove_images
on_exit cz "$T/pushed.yaml" destroy --volumes --missing-ok "$pushed"
on_exit cz "$T/loaded.yaml" destroy --volumes --missing-ok "$loaded"

git_() { git -C "$repo" -c user.name=test -c user.email=test@example.com "$@"; }
mkdir -p "$repo"
git_ init -q
cat >"$repo/Dockerfile" <<'EOF'
FROM local/busybox:1
COPY page.txt /www/index.html
CMD ["httpd", "-f", "-p", "8080", "-h", "/www"]
EOF
echo "built from source" >"$repo/page.txt"
git_ add -A
git_ commit -qm one
c12=$(git_ rev-parse HEAD | cut -c1-12)
cat >"$T/app.yaml" <<'EOF'
services:
  web:
    git: src
EOF
swarm_infra --registry "$T/pushed.yaml" "$pushed" "scale: {web: 3}"
swarm_infra "$T/loaded.yaml" "$loaded" "scale: {web: 3}"
# page INST: what every running task of INST's web serves, one line per node.
page() {
  local k id
  for k in 1 2 3; do
    id=$(host_docker "$k" ps -q --filter "label=com.docker.swarm.service.name=$1_web")
    [ -n "$id" ] || { echo "host$k: no task"; continue; }
    echo "host$k: $(host_docker "$k" exec "$id" cat /www/index.html)"
  done
}
all_built=$'host1: built from source\nhost2: built from source\nhost3: built from source'

# --- with a registry: pushed from the manager, pulled by every node.
assert_exit 0 cz "$T/pushed.yaml" deploy "$T/app.yaml" "$pushed"
image=$(swarm_docker service inspect -f '{{.Spec.TaskTemplate.ContainerSpec.Image}}' "${pushed}_web")
assert_eq "$CZ_SWARM_REGISTRY/${pushed}_web:$c12" "$image" "the service's image"
assert_contains "$(busybox wget -q -O - "http://$CZ_SWARM_REGISTRY/v2/${pushed}_web/tags/list")" "\"$c12\"" \
  "the registry does not hold the image"
wait_output 90 "host1=1 host2=1 host3=1" running_tasks_per_node "${pushed}_web"
assert_eq "$all_built" "$(page "$pushed")"

# --- without a registry: loaded on every other node before the service starts.
assert_exit 0 cz "$T/loaded.yaml" deploy "$T/app.yaml" "$loaded"
assert_eq "${loaded}_web:$c12" \
  "$(swarm_docker service inspect -f '{{.Spec.TaskTemplate.ContainerSpec.Image}}' "${loaded}_web")"
for k in 2 3; do
  assert_exit 0 host_docker "$k" image inspect -f '{{.Id}}' "${loaded}_web:$c12"
done
wait_output 90 "host1=1 host2=1 host3=1" running_tasks_per_node "${loaded}_web"
assert_eq "$all_built" "$(page "$loaded")"
# A redeploy of the same commit builds and sends nothing.
assert_exit 0 cz "$T/loaded.yaml" deploy "$T/app.yaml" "$loaded"
assert_not_contains "$ERR" "build"
assert_not_contains "$ERR" "load"
