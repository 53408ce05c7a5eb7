#include "swarm/prepare.hpp"

#include "exec/script_status.hpp"
#include "util/shell.hpp"

namespace calzion::swarm {

namespace {

// $5... are $4 volumes, then secret names; the secrets' values come on stdin.
constexpr const char* k_prepare = R"sh(
network=$1; instance=$2; owner=$3; nvol=$4; shift 4
n=0
for v in "$@"; do
  n=$((n + 1)); [ "$n" -le "$nvol" ] || break
  labels=$(docker volume inspect --format '{{index .Labels "io.calzion.instance"}} {{index .Labels "io.calzion.state"}}' "$v" 2>/dev/null) || continue
  if [ "$labels" != "$instance $owner" ]; then
    echo "volume \"$v\" exists on the manager without the labels io.calzion.instance=$instance and io.calzion.state=$owner: calzion does not use a volume it did not create; remove or rename it" >&2
    exit "$calzion_denied"
  fi
done
shift "$nvol"
if scope=$(docker network inspect --format '{{.Scope}}' "$network" 2>/dev/null); then
  if [ "$scope" != swarm ]; then
    echo "network \"$network\" exists on the manager as a $scope network (left by a plain docker deploy?): remove it, then deploy again" >&2
    exit 1
  fi
else
  docker network create --driver overlay --attachable --label "io.calzion.instance=$instance" "$network" >/dev/null || exit 1
fi
for s in "$@"; do
  IFS= read -r value || value=""
  if docker secret inspect "$s" >/dev/null 2>&1; then continue; fi
  printf '%s' "$value" | docker secret create --label "io.calzion.instance=$instance" "$s" - >/dev/null || exit 1
done
)sh";

}  // namespace

exec::Command prepare_command(const Preparation& preparation) {
    std::vector<std::string> args = {preparation.network, preparation.instance, preparation.state_dir,
                                     std::to_string(preparation.volumes.size())};
    args.insert(args.end(), preparation.volumes.begin(), preparation.volumes.end());
    exec::Command command;
    for (const auto& [name, value] : preparation.secrets) {
        args.push_back(name);
        command.input += value + "\n";
    }
    command.argv = util::script_argv(exec::script_status_prelude() + k_prepare, args);
    return command;
}

}  // namespace calzion::swarm
