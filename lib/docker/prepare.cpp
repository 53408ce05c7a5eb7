#include "docker/prepare.hpp"

#include "exec/script_status.hpp"

#include "util/shell.hpp"

namespace calzion::docker {

namespace {

// $6... are $5 directories, then named volumes. A volume that exists must carry
// the labels calzion gives its own: any other (someone else's, or one from
// before volumes were labelled) is refused before anything is created.
constexpr const char* k_prepare = R"sh(
idir=$1; network=$2; instance=$3; owner=$4; ndirs=$5; shift 5
n=0
for v in "$@"; do
  n=$((n + 1)); [ "$n" -gt "$ndirs" ] || continue
  labels=$(docker volume inspect --format '{{index .Labels "io.calzion.instance"}} {{index .Labels "io.calzion.state"}}' "$v" 2>/dev/null) || continue
  if [ "$labels" != "$instance $owner" ]; then
    echo "volume \"$v\" exists on the host without the labels io.calzion.instance=$instance and io.calzion.state=$owner: calzion does not use a volume it did not create; remove or rename it" >&2
    exit "$calzion_denied"
  fi
done
# The network gets a subnet of its own (the one docker picks, then given back
# to it explicitly): only there may a container that leaves and joins it again
# keep its address, as a start-first replacement needs (docker/hand_over.cpp).
if ! docker network inspect "$network" >/dev/null 2>&1; then
  docker network create --label "io.calzion.instance=$instance" "$network" >/dev/null || exit 1
  net=$(docker network inspect -f '{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}}' "$network") || exit 1
  subnet=${net%% *}; gateway=${net#* }
  if [ -n "$subnet" ] && [ -n "$gateway" ] && [ "$gateway" != "$net" ] && docker network rm "$network" >/dev/null; then
    docker network create --label "io.calzion.instance=$instance" --subnet "$subnet" --gateway "$gateway" \
      "$network" >/dev/null ||
      docker network create --label "io.calzion.instance=$instance" "$network" >/dev/null || exit 1
  fi
fi
n=0
for arg in "$@"; do
  n=$((n + 1))
  if [ "$n" -le "$ndirs" ]; then
    mkdir -p "$idir/$arg" || exit "$calzion_denied"
  elif ! docker volume inspect "$arg" >/dev/null 2>&1; then
    docker volume create --label "io.calzion.instance=$instance" --label "io.calzion.state=$owner" "$arg" >/dev/null || exit 1
  fi
done
)sh";

}  // namespace

std::vector<std::string> prepare_argv(const std::string& instance_dir, const std::string& network,
                                      const std::string& instance, const std::vector<std::string>& directories,
                                      const std::string& state_dir, const std::vector<std::string>& volumes) {
    std::vector<std::string> args = {instance_dir, network, instance, state_dir, std::to_string(directories.size())};
    args.insert(args.end(), directories.begin(), directories.end());
    args.insert(args.end(), volumes.begin(), volumes.end());
    return util::script_argv(exec::script_status_prelude() + k_prepare, args);
}

}  // namespace calzion::docker
