#include "swarm/destroy.hpp"

#include <algorithm>
#include <sstream>

#include "docker/volumes.hpp"
#include "exec/run_checked.hpp"
#include "swarm/versions.hpp"
#include "util/error.hpp"
#include "util/shell.hpp"
#include "util/strings.hpp"

namespace calzion::swarm {

namespace {

constexpr const char* k_remove_services = R"sh(
timeout=$1; shift
docker service rm "$@" >/dev/null || exit 1
end=$(($(date +%s) + timeout))
for s in "$@"; do
  while [ -n "$(docker ps -aq --filter "label=com.docker.swarm.service.name=$s" 2>/dev/null)" ]; do
    [ "$(date +%s)" -lt "$end" ] || break
    sleep 0.5 2>/dev/null || sleep 1
  done
done
)sh";

constexpr const char* k_remove_network = R"sh(
net=$1; end=$(($(date +%s) + $2))
while docker network inspect "$net" >/dev/null 2>&1; do
  docker network rm "$net" >/dev/null 2>&1 && exit 0
  [ "$(date +%s)" -lt "$end" ] || exit 1
  sleep 0.5 2>/dev/null || sleep 1
done
)sh";

constexpr const char* k_clean_up = R"sh(
i=$1; idir=$2; versions=$3
jobs=$(docker service ls -q --filter "label=io.calzion.init-of=$i") || exit 1
if [ -n "$jobs" ]; then docker service rm $jobs >/dev/null || exit 1; fi
# What Swarm leaves of finished jobs on this node.
left=$(docker ps -aq --filter "label=io.calzion.init-of=$i") || exit 1
if [ -n "$left" ]; then docker rm --force $left >/dev/null || exit 1; fi
secrets=$(docker secret ls -q --filter "label=io.calzion.instance=$i") || exit 1
if [ -n "$secrets" ]; then docker secret rm $secrets >/dev/null || exit 1; fi
rm -rf "$idir/$versions"
)sh";

}  // namespace

Argv remove_services_argv(const std::vector<std::string>& names, int timeout_seconds) {
    std::vector<std::string> args = {std::to_string(timeout_seconds)};
    args.insert(args.end(), names.begin(), names.end());
    return util::script_argv(k_remove_services, args);
}

Argv remove_network_argv(const std::string& network, int timeout_seconds) {
    return util::script_argv(k_remove_network, {network, std::to_string(timeout_seconds)});
}

Argv clean_up_argv(const std::string& instance, const std::string& instance_dir) {
    return util::script_argv(k_clean_up, {instance, instance_dir, k_versions_dir});
}

Argv nodes_argv() { return {"docker", "node", "ls", "--format", "{{.Hostname}} {{if .Self}}self{{end}}"}; }

std::vector<backend::NamedVolume> kept_on_other_nodes(const std::vector<backend::NamedVolume>& settled,
                                                      const std::vector<std::string>& names,
                                                      const std::vector<std::string>& others) {
    std::vector<backend::NamedVolume> out = settled;
    if (others.empty()) {
        return out;
    }
    for (const auto& name : names) {
        if (std::none_of(out.begin(), out.end(), [&](const backend::NamedVolume& v) { return v.name == name; })) {
            out.push_back({name, false, "not on the manager"});
        }
    }
    std::string where = "may remain on the swarm's other nodes (" + util::comma_list(others) +
                        "), which calzion does not reach";
    for (auto& volume : out) {
        std::string here = volume.removed ? "removed on the manager" : volume.kept_because;
        volume.kept_because = here + "; it " + where + ": docker volume rm " + volume.name + " there";
        volume.removed = false;
    }
    return out;
}

std::vector<backend::NamedVolume> settle_volumes(exec::Runner& runner, const state::HostState& recorded,
                                                 const plan::Observed& observed, bool removing) {
    std::vector<backend::NamedVolume> settled = docker::settle_volumes(runner, recorded, observed, removing);
    if (!removing) {
        return settled;  // all kept, wherever they are
    }
    docker::VolumeCandidates candidates = docker::volume_candidates(recorded, observed);
    std::vector<std::string> names = candidates.removable;
    for (const auto& volume : candidates.kept) {
        names.push_back(volume.name);
    }
    if (names.empty()) {
        return settled;
    }
    exec::Result nodes = runner.run(exec::command(nodes_argv()));
    if (!nodes.ok()) {
        throw Error(ErrorKind::operation_failed, "cannot list the swarm's nodes: " + util::one_line(nodes.err));
    }
    std::vector<std::string> others;
    for (const auto& line : util::split_lines(nodes.out)) {
        std::istringstream words(line);
        std::string host;
        std::string self;
        if (words >> host && !(words >> self)) {
            others.push_back(host);
        }
    }
    return kept_on_other_nodes(settled, names, others);
}

}  // namespace calzion::swarm
