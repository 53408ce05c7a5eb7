#include "swarm/observe.hpp"

#include <algorithm>
#include <set>
#include <sstream>

#include "docker/inspect.hpp"
#include "state/sections.hpp"
#include "swarm/versions.hpp"
#include "util/error.hpp"
#include "util/shell.hpp"
#include "util/strings.hpp"

namespace calzion::swarm {

namespace {

// Instance $1, image references $2... Parts start with "@@swarm NAME" lines;
// "@@swarm failed" says that docker did not answer, "@@swarm not-manager"
// (with the engine's swarm state) that it is no manager. $idir is the
// instance's directory: the store's read runs this fragment inside its dump,
// which names it so.
constexpr const char* k_observe = R"sh(
i=$1; shift
st=$(docker info --format '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}' 2>/dev/null) || { echo "@@swarm failed"; exit 0; }
if [ "$st" != "active true" ]; then echo "@@swarm not-manager"; echo "$st"; exit 0; fi
echo "@@swarm ipvs"
if [ -e /proc/sys/net/ipv4/vs ]; then echo yes; else echo no; fi
ids=$(docker service ls -q --filter "label=io.calzion.instance=$i") || { echo "@@swarm failed"; exit 0; }
echo "@@swarm services"
tasks=""
if [ -n "$ids" ]; then
  docker service inspect --format '{{json .}}' $ids 2>/dev/null
  tasks=$(docker service ps -q --no-trunc $ids 2>/dev/null)
fi
echo "@@swarm tasks"
if [ -n "$tasks" ]; then docker inspect --type task --format "$task_format" $tasks 2>/dev/null; fi
echo "@@swarm nodes"
docker node ls --format '{{.ID}} {{.Hostname}} {{.Status}}' 2>/dev/null
echo "@@swarm images"
if [ $# -gt 0 ]; then docker inspect --type image --format "$inspect_format" "$@" 2>/dev/null; fi
echo "@@swarm volumes"
docker volume ls --filter "label=io.calzion.instance=$i" --format '{{.Name}} {{.Label "io.calzion.state"}}' 2>/dev/null
echo "@@swarm versions"
for f in "${idir:-/nonexistent}/$versions"/*; do
  if [ -f "$f" ]; then printf '%s %s\n' "${f##*/}" "$(cat "$f")"; fi
done
)sh";

// "first rest" per line, rest trimmed; a line with one word maps it to "".
std::map<std::string, std::string> pairs_in(const std::string& text) {
    std::map<std::string, std::string> pairs;
    for (const auto& line : util::split_lines(text)) {
        size_t space = line.find(' ');
        std::string key = state::trimmed(line.substr(0, space));
        if (!key.empty()) {
            pairs[key] = space == std::string::npos ? "" : state::trimmed(line.substr(space + 1));
        }
    }
    return pairs;
}

void check_answered(std::map<std::string, std::string>& parts) {
    if (parts.count("not-manager")) {
        std::string state = state::trimmed(parts["not-manager"]);
        throw Error(ErrorKind::operation_failed,
                    "the host is not a swarm manager (its swarm state: " +
                        (state.empty() ? std::string("unknown") : state) +
                        "): run `docker swarm init --advertise-addr ADDRESS` there, or name a manager as the "
                        "instance's \"manager\"");
    }
    if (parts.count("failed") || !parts.count("versions")) {
        throw Error(ErrorKind::operation_failed, "docker does not answer on the swarm manager (is the engine running?)");
    }
}

}  // namespace

state::Observer observer(const std::string& instance, const std::vector<std::string>& images) {
    state::Observer observer;
    observer.script = "task_format=" + util::shell_quote(k_task_format) +
                      "\ninspect_format=" + util::shell_quote(docker::k_inspect_format) +
                      "\nversions=" + util::shell_quote(k_versions_dir) + k_observe;
    observer.args = {instance};
    auto references = docker::references_to_inspect(images);
    observer.args.insert(observer.args.end(), references.begin(), references.end());
    return observer;
}

SwarmView parse_view(const std::string& output, const std::vector<std::string>& images) {
    auto parts = state::sections_of(output, "@@swarm ");
    check_answered(parts);
    SwarmView view;
    view.ipvs = state::trimmed(parts["ipvs"]) == "yes";
    std::vector<InspectedTask> tasks;
    for (const auto& line : util::split_lines(parts["tasks"])) {
        if (!line.empty()) {
            tasks.push_back(parse_task(line));
        }
    }
    // "ID HOSTNAME STATUS" per node: its name, and whether it is down.
    std::set<std::string> down;
    for (const auto& [id, rest] : pairs_in(parts["nodes"])) {
        size_t space = rest.find(' ');
        view.nodes[id] = rest.substr(0, space);
        if (space != std::string::npos && rest.substr(space + 1) == "Down") {
            down.insert(id);
        }
    }
    const auto& nodes = view.nodes;
    std::map<std::string, long long> versions = parse_versions(parts["versions"]);
    for (const auto& line : util::split_lines(parts["services"])) {
        if (line.empty()) {
            continue;
        }
        InspectedService service = parse_service(line);
        auto recorded = versions.find(service.spec.name);
        view.observed.workloads.push_back(
            workload_of(service, tasks, nodes, recorded == versions.end() ? 0 : recorded->second, down));
        view.services[service.spec.name] = std::move(service);
    }
    view.observed.volumes = pairs_in(parts["volumes"]);
    auto inspected = docker::parse_inspected(parts["images"]);
    for (const auto& image : images) {
        auto found = inspected.image_ids.find(docker::normalize_reference(image));
        if (found != inspected.image_ids.end()) {
            view.observed.image_ids[image] = found->second;
        }
    }
    return view;
}

}  // namespace calzion::swarm
