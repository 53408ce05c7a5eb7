// What a swarm's manager says about the swarm's router, and the waits for the
// router's service to converge: host scripts with every value an argument, and
// their parsers.

#include "router/swarm_observe.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "exec/run_checked.hpp"
#include "router/swarm_service.hpp"
#include "state/sections.hpp"
#include "util/error.hpp"
#include "util/shell.hpp"
#include "util/strings.hpp"

namespace calzion::router {

using nlohmann::json;

namespace {

// The manager's swarm ("active true NODE-ID" on a manager of an active swarm),
// and then only on a manager: every node ("ID STATE AVAILABILITY ADDRESS
// HOSTNAME LABEL-VALUE", the label's value last as it may hold spaces), the
// overlay networks ("ID NAME"), the router's service as `docker service
// inspect` prints it (nothing when there is none) and the router's configs.
constexpr const char* k_observe = R"sh(
svc=$1
failed() { echo "@@calzion docker-failed"; exit 0; }
swarm=$(docker info --format '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}} {{.Swarm.NodeID}}') || failed
echo "@@calzion swarm"; echo "$swarm"
case $swarm in
  "active true "*) ;;
  *) echo "@@calzion end"; exit 0 ;;
esac
nodes=$(docker node ls -q) || failed
echo "@@calzion nodes"
docker node inspect --format '{{.ID}} {{.Status.State}} {{.Spec.Availability}} {{.Status.Addr}} {{.Description.Hostname}} {{index .Spec.Labels "io.calzion.edge"}}' $nodes || failed
echo "@@calzion networks"
docker network ls --no-trunc --filter driver=overlay --format '{{.ID}} {{.Name}}' || failed
names=$(docker service ls --format '{{.Name}}') || failed
echo "@@calzion service"
if printf '%s\n' "$names" | grep -qxF "$svc"; then docker service inspect "$svc" || failed; fi
echo "@@calzion configs"
docker config ls --filter label=io.calzion.router=1 --format '{{.Name}}' || failed
echo "@@calzion end"
)sh";

// Until the service has converged, for at most $seconds: the update sent
// before (when $since is not "-": the StartedAt of the update before it) has
// started and completed, no update is paused, every node given before "-"
// runs a task of the spec hash $hash, and those after it have none left that
// has not ended. Gives up
// when tasks failed three times meanwhile on the nodes that must run one (a
// task that cannot start is restarted every 5 s).
constexpr const char* k_wait = R"sh(
svc=$1; since=$2; hash=$3; seconds=$4; shift 4
must=; mustnot=; past=
for a in "$@"; do
  if [ "$a" = - ]; then past=1; elif [ -n "$past" ]; then mustnot="$mustnot $a"; else must="$must $a"; fi
done
failures() {
  ids=$(docker service ps -q --no-trunc "$svc" 2>/dev/null)
  [ -n "$ids" ] || return 0
  docker inspect --type task --format '{{.ID}} {{.NodeID}} {{.Status.State}}' $ids 2>/dev/null |
    while read -r id node state; do
      case $state in failed | rejected) case " $must " in *" $node "*) echo "$id" ;; esac ;; esac
    done
}
before=" $(failures | tr '\n' ' ') "
start=$(date +%s)
while :; do
  verdict=; updating=
  if ! up=$(docker service inspect --format '{{with .UpdateStatus}}{{.State}} {{json .StartedAt}}{{end}}' "$svc" 2>/dev/null); then
    verdict=gone
  elif [ "$since" != - ] && { [ -z "$up" ] || [ "$(printf '%s' "${up#* }" | tr -d '"')" = "$since" ]; }; then
    updating=1
  else
    case ${up%% *} in
      paused | rollback_paused) verdict=${up%% *} ;;
      rollback_completed) [ "$since" = - ] || verdict=rollback_completed ;;
      updating | rollback_started) updating=1 ;;
    esac
  fi
  if [ -z "$verdict" ] && [ -z "$updating" ]; then
    tasks=$(docker service ps -q --no-trunc --filter desired-state=running "$svc" 2>/dev/null)
    seen=
    if [ -n "$tasks" ]; then
      seen=$(docker inspect --type task --format '{{.NodeID}} {{.Status.State}} {{index .Spec.ContainerSpec.Labels "io.calzion.spec-hash"}}' $tasks 2>/dev/null)
    fi
    verdict=converged
    for node in $must; do
      printf '%s\n' "$seen" | grep -qxF "$node running $hash" || verdict=
    done
    if [ -n "$mustnot" ]; then
      all=$(docker service ps -q --no-trunc "$svc" 2>/dev/null)
      states=$(docker inspect --type task --format '{{.NodeID}} {{.Status.State}}' $all 2>/dev/null)
      for node in $mustnot; do
        printf '%s\n' "$states" | grep -vE ' (complete|shutdown|failed|rejected|remove|orphaned)$' |
          grep -q "^$node " && verdict=
      done
    fi
  fi
  if [ -z "$verdict" ]; then
    new=0
    for id in $(failures); do
      case $before in *" $id "*) ;; *) new=$((new + 1)) ;; esac
    done
    [ "$new" -ge 3 ] && verdict=failing
  fi
  if [ -z "$verdict" ] && [ $(($(date +%s) - start)) -ge "$seconds" ]; then verdict=timeout; fi
  if [ -n "$verdict" ]; then
    echo "$verdict"
    message=$(docker service inspect --format '{{with .UpdateStatus}}{{.Message}}{{end}}' "$svc" 2>/dev/null)
    echo "$message" | head -n 1
    docker service ps --no-trunc --format '{{.Node}} {{.DesiredState}} {{.CurrentState}} {{.Error}}' "$svc" 2>/dev/null | head -n 20
    [ "$verdict" = converged ] && exit 0
    exit 1
  fi
  sleep 1
done
)sh";

// Until no node given has a task of the removed service $svc, for at most
// $seconds.
constexpr const char* k_wait_removed = R"sh(
svc=$1; seconds=$2; shift 2
start=$(date +%s)
while :; do
  left=$(docker node ps --no-trunc --filter "name=$svc" --format '{{.Node}} {{.DesiredState}} {{.CurrentState}} {{.Error}}' "$@" 2>/dev/null)
  if [ -z "$left" ]; then echo removed; exit 0; fi
  if [ $(($(date +%s) - start)) -ge "$seconds" ]; then
    echo timeout; echo
    printf '%s\n' "$left" | head -n 20
    exit 1
  fi
  sleep 1
done
)sh";

[[noreturn]] void unreadable(const std::string& what) {
    throw Error(ErrorKind::operation_failed, "cannot read the swarm's answer about the router: " + what);
}

// The value at `pointer` in `document`, null when it is not there.
const json& at(const json& document, const char* pointer) {
    static const json null;
    json::json_pointer path(pointer);
    return document.contains(path) ? document.at(path) : null;
}

std::string string_at(const json& document, const char* pointer) {
    const json& value = at(document, pointer);
    return value.is_string() ? value.get<std::string>() : std::string();
}

std::vector<std::string> strings_at(const json& document, const char* pointer) {
    std::vector<std::string> strings;
    for (const auto& value : at(document, pointer)) {
        if (value.is_string()) {
            strings.push_back(value.get<std::string>());
        }
    }
    return strings;
}

int int_at(const json& document, const char* pointer) {
    const json& value = at(document, pointer);
    return value.is_number_integer() ? value.get<int>() : 0;
}

SwarmRouterService service_in(const std::string& text) {
    json documents = json::parse(text, nullptr, false);
    if (documents.is_discarded() || !documents.is_array() || documents.size() != 1 || !documents[0].is_object()) {
        unreadable("`docker service inspect` did not print one service");
    }
    const json& document = documents[0];
    SwarmRouterService service;
    service.ours = string_at(document, "/Spec/Labels/io.calzion.router") == "1";
    service.global = at(document, "/Spec/Mode/Global").is_object();
    service.image = string_at(document, "/Spec/TaskTemplate/ContainerSpec/Image");
    service.args = strings_at(document, "/Spec/TaskTemplate/ContainerSpec/Args");
    service.constraints = strings_at(document, "/Spec/TaskTemplate/Placement/Constraints");
    for (const auto& port : at(document, "/Spec/EndpointSpec/Ports")) {
        service.ports.push_back({int_at(port, "/PublishedPort"), int_at(port, "/TargetPort"),
                                 string_at(port, "/PublishMode"), string_at(port, "/Protocol")});
    }
    for (const auto& config : at(document, "/Spec/TaskTemplate/ContainerSpec/Configs")) {
        service.configs.push_back({string_at(config, "/ConfigName"), string_at(config, "/File/Name")});
    }
    for (const auto& network : at(document, "/Spec/TaskTemplate/Networks")) {
        service.networks.push_back(string_at(network, "/Target"));
    }
    service.spec_hash = string_at(document, "/Spec/TaskTemplate/ContainerSpec/Labels/io.calzion.spec-hash");
    service.update_started = string_at(document, "/UpdateStatus/StartedAt");
    return service;
}

SwarmNode node_in(const std::string& line) {
    std::istringstream words(line);
    SwarmNode node;
    std::string state;
    std::string availability;
    words >> node.id >> state >> availability >> node.address >> node.hostname;
    if (node.hostname.empty()) {
        unreadable("a node line is cut short: " + util::quoted(line));
    }
    std::getline(words >> std::ws, node.edge_label);
    node.ready = state == "ready";
    node.active = availability == "active";
    return node;
}

}  // namespace

const SwarmNode* SwarmObservation::node(const std::string& id) const {
    auto found = std::find_if(nodes.begin(), nodes.end(), [&](const SwarmNode& node) { return node.id == id; });
    return found == nodes.end() ? nullptr : &*found;
}

std::vector<std::string> swarm_observe_argv() { return util::script_argv(k_observe, {k_swarm_service}); }

SwarmObservation parse_swarm_observation(const std::string& output, const std::string& host) {
    auto sections = state::sections_of(output);
    if (sections.count("docker-failed")) {
        throw Error(ErrorKind::operation_failed, "docker on " + host + " did not answer about its swarm");
    }
    if (!sections.count("swarm") || !sections.count("end")) {
        throw Error(ErrorKind::operation_failed, "the answer of " + host + " about its swarm was cut short");
    }
    std::istringstream swarm(sections["swarm"]);
    std::string local_state;
    std::string control;
    SwarmObservation seen;
    swarm >> local_state >> control >> seen.node_id;
    if (local_state != "active") {
        throw Error(ErrorKind::operation_failed,
                    host + " is in no swarm (its swarm state is " + util::quoted(local_state) +
                        "): the router of swarm instances runs from the swarm's manager");
    }
    if (control != "true") {
        throw Error(ErrorKind::operation_failed,
                    host + " is a worker of its swarm, not a manager: the router of swarm instances runs from a manager");
    }
    if (!sections.count("nodes") || !sections.count("networks") || !sections.count("service") ||
        !sections.count("configs")) {
        throw Error(ErrorKind::operation_failed, "the answer of " + host + " about its swarm was cut short");
    }
    for (const auto& line : util::split_lines(sections["nodes"])) {
        if (!state::trimmed(line).empty()) {
            seen.nodes.push_back(node_in(line));
        }
    }
    for (const auto& line : util::split_lines(sections["networks"])) {
        std::istringstream words(line);
        std::string id;
        std::string name;
        if (words >> id >> name) {
            seen.networks[name] = id;
        }
    }
    if (!state::trimmed(sections["service"]).empty()) {
        seen.service = service_in(sections["service"]);
    }
    for (const auto& line : util::split_lines(sections["configs"])) {
        std::string name = state::trimmed(line);
        if (!name.empty()) {
            seen.configs.push_back(name);
        }
    }
    std::sort(seen.configs.begin(), seen.configs.end());
    return seen;
}

SwarmObservation observe_swarm(exec::Runner& runner) {
    exec::Result result = runner.run(exec::command(swarm_observe_argv()));
    if (!result.ok()) {
        throw Error(ErrorKind::operation_failed,
                    "cannot read the swarm for the router on " + runner.host() + ": " + util::one_line(result.err));
    }
    if (state::sections_of(result.out).count("docker-failed")) {
        throw Error(ErrorKind::operation_failed, "docker on " + runner.host() + " did not answer about its swarm: " +
                                                     util::one_line(result.err));
    }
    return parse_swarm_observation(result.out, runner.host());
}

std::vector<std::string> swarm_wait_argv(const std::optional<std::string>& since, const std::string& spec_hash,
                                         int seconds, const std::vector<std::string>& nodes,
                                         const std::vector<std::string>& left) {
    std::vector<std::string> args{k_swarm_service, since ? *since : "-", spec_hash, std::to_string(seconds)};
    args.insert(args.end(), nodes.begin(), nodes.end());
    if (!left.empty()) {
        args.push_back("-");
        args.insert(args.end(), left.begin(), left.end());
    }
    return util::script_argv(k_wait, args);
}

std::vector<std::string> swarm_wait_removed_argv(int seconds, const std::vector<std::string>& nodes) {
    std::vector<std::string> args{k_swarm_service, std::to_string(seconds)};
    args.insert(args.end(), nodes.begin(), nodes.end());
    return util::script_argv(k_wait_removed, args);
}

SwarmWait parse_swarm_wait(const std::string& output) {
    SwarmWait wait;
    std::vector<std::string> lines = util::split_lines(output);
    if (!lines.empty()) {
        wait.verdict = state::trimmed(lines[0]);
    }
    if (lines.size() > 1) {
        wait.message = state::trimmed(lines[1]);
    }
    for (size_t i = 2; i < lines.size(); ++i) {
        if (!state::trimmed(lines[i]).empty()) {
            wait.tasks.push_back(state::trimmed(lines[i]));
        }
    }
    return wait;
}

}  // namespace calzion::router
