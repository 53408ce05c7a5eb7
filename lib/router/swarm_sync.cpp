// Syncing the swarm's router: observe (under the manager's router lock, then
// the swarm), render the configuration of the swarm instances' routes, then
// change only what differs, in one rolling update, and wait until every edge
// node runs it before the configs it replaced are removed.

#include "router/swarm_sync.hpp"

#include <algorithm>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "exec/run_checked.hpp"
#include "router/config.hpp"
#include "router/container.hpp"
#include "router/observe.hpp"
#include "router/scripts.hpp"
#include "router/swarm_observe.hpp"
#include "router/swarm_service.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace calzion::router {

namespace {

// The nodes `edges` names (the manager when none), each once, in the order
// given. Throws Error(invalid_data) for a name that is no node, or more than one.
std::vector<const SwarmNode*> edge_nodes(const SwarmObservation& swarm, const std::vector<std::string>& edges,
                                         const std::string& host) {
    std::vector<const SwarmNode*> found;
    if (edges.empty()) {
        const SwarmNode* manager = swarm.node(swarm.node_id);
        if (manager == nullptr) {
            throw Error(ErrorKind::operation_failed, "the swarm of " + host + " does not list its own node " +
                                                         util::quoted(swarm.node_id));
        }
        return {manager};
    }
    std::vector<std::string> names;
    for (const auto& node : swarm.nodes) {
        names.push_back(node.hostname);
    }
    Diagnostics problems;
    for (const auto& edge : edges) {
        std::vector<const SwarmNode*> matches;
        for (const auto& node : swarm.nodes) {
            if (node.id == edge || node.hostname == edge || node.address == edge) {
                matches.push_back(&node);
            }
        }
        if (matches.empty()) {
            problems.add({}, "edge " + util::quoted(edge) + " is no node of the swarm of " + host +
                                 " (its nodes: " + util::comma_list(names) + ")");
        } else if (matches.size() > 1) {
            problems.add({}, "edge " + util::quoted(edge) + " names " + std::to_string(matches.size()) +
                                 " nodes of the swarm of " + host + ": give a node id");
        } else if (std::find(found.begin(), found.end(), matches[0]) == found.end()) {
            found.push_back(matches[0]);
        }
    }
    problems.throw_if_any(ErrorKind::invalid_data);
    return found;
}

// A plain instance on the manager has the host's own router, which publishes
// the same port: both cannot hold it.
void check_no_plain_router(const Observation& seen, const SwarmObservation& swarm,
                           const std::vector<const SwarmNode*>& edges, int http_port, const std::string& host) {
    bool manager_is_edge = std::any_of(edges.begin(), edges.end(),
                                       [&](const SwarmNode* node) { return node->id == swarm.node_id; });
    if (!manager_is_edge || seen.routes.empty()) {
        return;
    }
    std::set<std::string> instances;
    for (const auto& route : seen.routes) {
        instances.insert(util::quoted(route.instance));
    }
    throw Error(ErrorKind::invalid_data,
                "the swarm's router cannot publish port " + std::to_string(http_port) + " on " + host +
                    ", the swarm's manager and one of its edges: plain instance" + (instances.size() == 1 ? " " : "s ") +
                    util::comma_list({instances.begin(), instances.end()}) + " there route" +
                    (instances.size() == 1 ? "s" : "") +
                    " domains through the host's own router on that port; leave " + host +
                    " out of the swarm instances' edges, or move the plain instance" +
                    (instances.size() == 1 ? "" : "s") + " to another host");
}

std::string port_spec(const SwarmPort& port) {
    std::string spec = "published=" + std::to_string(port.published) + ",target=" + std::to_string(port.target);
    if (!port.mode.empty()) {
        spec += ",mode=" + port.mode;
    }
    if (!port.protocol.empty() && port.protocol != "tcp") {
        spec += ",protocol=" + port.protocol;
    }
    return spec;
}

bool is_ours(const SwarmPort& port, int http_port) {
    return port.published == http_port && port.target == k_listen_port && port.mode == "host" &&
           (port.protocol.empty() || port.protocol == "tcp");
}

// What the running service lacks or has too much of.
ServiceChanges changes_of(const SwarmRouterService& service, const SwarmRouterSpec& spec,
                          const SwarmObservation& swarm) {
    ServiceChanges changes;
    if (service.image != spec.image) {
        changes.image = spec.image;
    }
    bool published = false;
    for (const auto& port : service.ports) {
        if (is_ours(port, spec.http_port)) {
            published = true;
        } else {
            changes.publish_rm.push_back(port_spec(port));
        }
    }
    // The CLI removes a port by its target: ours goes with another one on port 80.
    if (!published || !changes.publish_rm.empty()) {
        changes.publish = spec.http_port;
    }
    bool constrained = false;
    for (const auto& constraint : service.constraints) {
        if (constraint == k_edge_constraint) {
            constrained = true;
        } else {
            changes.constraint_rm.push_back(constraint);
        }
    }
    changes.constrain = !constrained;
    changes.command = service.args != swarm_router_command();
    bool mounted = false;
    for (const auto& config : service.configs) {
        if (config.name == spec.config && config.target == k_config_file) {
            mounted = true;
        } else if (std::find(changes.config_rm.begin(), changes.config_rm.end(), config.name) ==
                   changes.config_rm.end()) {
            changes.config_rm.push_back(config.name);
        }
    }
    if (!mounted || std::find(changes.config_rm.begin(), changes.config_rm.end(), spec.config) !=
                        changes.config_rm.end()) {
        changes.config_add = spec.config;
    }
    std::map<std::string, std::string> names;  // id -> name
    for (const auto& [name, id] : swarm.networks) {
        names[id] = name;
    }
    std::set<std::string> present(service.networks.begin(), service.networks.end());
    std::set<std::string> wanted;
    for (const auto& network : spec.networks) {
        const std::string& id = swarm.networks.at(network);
        wanted.insert(id);
        if (!present.count(id)) {
            changes.network_add.push_back(network);
        }
    }
    for (const auto& id : present) {
        if (!wanted.count(id)) {
            changes.network_rm.push_back(names.count(id) ? names[id] : id);
        }
    }
    std::sort(changes.network_rm.begin(), changes.network_rm.end());
    return changes;
}

void try_run(exec::Runner& runner, const Argv& argv) {
    try {
        runner.run(exec::command(argv));
    } catch (const Error&) {
        // Best effort: the error being reported matters more.
    }
}

// The tasks that say something: those meant to run, and those with an error
// (docker quotes it), at most 10.
std::string tasks_of(const SwarmWait& wait) {
    std::vector<std::string> lines;
    for (const auto& line : wait.tasks) {
        std::istringstream words(line);
        std::string node;
        std::string desired;
        words >> node >> desired;
        if ((desired == "Running" || line.find('"') != std::string::npos) && lines.size() < 10) {
            lines.push_back(line);
        }
    }
    if (lines.empty()) {
        return "it has no task";
    }
    return "its tasks (node, desired state, state, error): " + util::one_line(util::comma_list(lines));
}

// Wait until the nodes `nodes` run the router of `spec_hash` (after the update
// since `since`, if one was sent), and the nodes `left` no longer do. Throws Error(operation_failed) when it does
// not come, removing `new_config` once an update rolled back.
void wait_converged(exec::Runner& manager, const std::optional<std::string>& since, const std::string& spec_hash,
                    const std::vector<std::string>& nodes, const std::vector<std::string>& left,
                    const std::string& new_config) {
    exec::Result result =
        manager.run(exec::command(swarm_wait_argv(since, spec_hash, k_swarm_converge_seconds, nodes, left)));
    SwarmWait wait = parse_swarm_wait(result.out);
    if (result.ok() && wait.converged()) {
        return;
    }
    std::string message = wait.message.empty() ? "" : ": " + util::one_line(wait.message);
    if (wait.verdict == "rollback_completed") {
        if (!new_config.empty()) {
            try_run(manager, config_remove_argv({new_config}));
        }
        throw Error(ErrorKind::operation_failed,
                    "the router's update failed and was rolled back, the previous router serves" + message + "; " +
                        tasks_of(wait));
    }
    if (wait.verdict == "paused" || wait.verdict == "rollback_paused") {
        throw Error(ErrorKind::operation_failed, "the router's update is paused (docker service update" +
                                                     std::string(wait.verdict == "paused" ? "" : " --rollback") +
                                                     " resumes it)" + message + "; " + tasks_of(wait));
    }
    if (wait.verdict == "failing") {
        throw Error(ErrorKind::operation_failed, "the router keeps failing on its edge nodes; " + tasks_of(wait));
    }
    if (wait.verdict == "gone") {
        throw Error(ErrorKind::operation_failed, "the router's service was removed while calzion waited for it");
    }
    if (wait.verdict == "timeout") {
        throw Error(ErrorKind::operation_failed, "the router did not run on every edge node within " +
                                                     std::to_string(k_swarm_converge_seconds) + " s; " +
                                                     tasks_of(wait));
    }
    throw Error(ErrorKind::operation_failed,
                "waiting for the router's service failed: " + util::one_line(result.err));
}

std::vector<std::string> available(const std::vector<const SwarmNode*>& nodes) {
    std::vector<std::string> ids;
    for (const SwarmNode* node : nodes) {
        if (node->available()) {
            ids.push_back(node->id);
        }
    }
    return ids;
}

// Remove the router's service, and wait until its tasks are gone from the
// available nodes: the port and the networks are free then.
void remove_service(exec::Runner& manager, const SwarmObservation& swarm, const std::string& why) {
    exec::run_checked(manager, service_remove_argv(), why);
    std::vector<const SwarmNode*> nodes;
    for (const auto& node : swarm.nodes) {
        nodes.push_back(&node);
    }
    std::vector<std::string> ids = available(nodes);
    if (ids.empty()) {
        return;
    }
    exec::Result waited = manager.run(exec::command(swarm_wait_removed_argv(k_swarm_converge_seconds, ids)));
    SwarmWait wait = parse_swarm_wait(waited.out);
    if (!waited.ok() || !wait.converged()) {
        throw Error(ErrorKind::operation_failed, "the router's tasks were not gone " +
                                                     std::to_string(k_swarm_converge_seconds) +
                                                     " s after its service was removed; " + tasks_of(wait));
    }
}

// No swarm instance routes a domain: the service, its configs and the labels go.
void remove_swarm_router(exec::Runner& manager, const SwarmObservation& swarm, SyncResult& result) {
    if (swarm.service && swarm.service->ours) {
        remove_service(manager, swarm, "removing the router's service");
        result.removed = true;
    }
    if (!swarm.configs.empty()) {
        exec::run_checked(manager, config_remove_argv(swarm.configs), "removing the router's configs");
        result.removed = true;
    }
    for (const auto& node : swarm.nodes) {
        if (node.edge_label == "true") {
            exec::run_checked(manager, node_label_remove_argv(node.id),
                              "removing the edge label of node " + util::quoted(node.hostname));
            result.nodes_removed.push_back(node.hostname);
            result.removed = true;
        }
    }
}

// What the swarm's router must be, checked against the swarm before anything
// changes.
struct Plan {
    std::string config;                    // nginx.conf
    SwarmRouterSpec spec;
    std::vector<const SwarmNode*> edges;   // the nodes it runs on
    std::vector<std::string> targets;      // those of them it can run on now (ids)
};

Plan plan_router(const Observation& seen, const SwarmObservation& swarm, const SyncOptions& options,
                 const std::vector<std::string>& edges, const std::string& host) {
    Plan plan;
    plan.config = render_config(seen.swarm_routes);
    plan.edges = edge_nodes(swarm, edges, host);
    check_no_plain_router(seen, swarm, plan.edges, options.http_port, host);
    plan.spec = {options.image, options.http_port, swarm_config_name(plan.config), {}};
    for (const auto& route : seen.swarm_routes) {
        if (!swarm.networks.count(route.network)) {
            throw Error(ErrorKind::operation_failed, "network " + util::quoted(route.network) + " of swarm instance " +
                                                         util::quoted(route.instance) +
                                                         " is no overlay network of the swarm of " + host +
                                                         ": deploy the instance again");
        }
        plan.spec.networks.insert(route.network);
    }
    plan.targets = available(plan.edges);
    if (plan.targets.empty()) {
        std::vector<std::string> names;
        for (const SwarmNode* node : plan.edges) {
            names.push_back(node->hostname);
        }
        throw Error(ErrorKind::operation_failed,
                    "no edge node of the router is ready and active: " + util::comma_list(names));
    }
    if (swarm.service && !swarm.service->ours) {
        throw Error(ErrorKind::operation_failed,
                    "the swarm of " + host + " has a service named " + util::quoted(k_swarm_service) +
                        " that calzion did not create (it lacks the label io.calzion.router=1): remove or rename it");
    }
    return plan;
}

// What bringing the service in line did, for the wait.
struct Applied {
    std::string spec_hash;             // its tasks' label once converged
    std::optional<std::string> since;  // set when an update was sent: the update before it
    std::string new_config;            // the config created now, if any
};

// Create the service, or update what differs in it.
Applied apply_service(exec::Runner& manager, const SwarmObservation& swarm, const Plan& plan,
                      SyncResult& result) {
    const SwarmRouterSpec& spec = plan.spec;
    Applied applied{swarm_spec_hash(spec), std::nullopt, ""};
    bool has_config = std::find(swarm.configs.begin(), swarm.configs.end(), spec.config) != swarm.configs.end();
    if (swarm.service && swarm.service->global) {
        ServiceChanges changes = changes_of(*swarm.service, spec, swarm);
        if (changes.empty()) {
            applied.spec_hash = swarm.service->spec_hash;  // the tasks keep the label they have
            return applied;
        }
        if (!changes.config_add.empty() && !has_config) {
            exec::run_checked(manager, config_create_argv(spec.config),
                              "creating the router's config " + util::quoted(spec.config), plan.config);
            applied.new_config = spec.config;
        }
        exec::run_checked(manager, service_update_argv(changes, applied.spec_hash), "updating the router's service");
        applied.since = swarm.service->update_started;
        result.created = !changes.image.empty() || changes.publish != 0;
        result.reloaded = !changes.config_add.empty();
        result.connected = changes.network_add;
        result.disconnected = changes.network_rm;
        return applied;
    }
    if (!has_config) {
        exec::run_checked(manager, config_create_argv(spec.config),
                          "creating the router's config " + util::quoted(spec.config), plan.config);
        applied.new_config = spec.config;
    }
    if (swarm.service) {
        // A replicated service cannot become global: it is created again once
        // its tasks have let the port go.
        remove_service(manager, swarm, "removing the router's service to create it global");
    }
    exec::run_checked(manager, service_create_argv(spec),
                      "creating the router's service (image " + util::quoted(spec.image) + ")");
    result.created = true;
    result.connected.assign(spec.networks.begin(), spec.networks.end());
    return applied;
}

// Label the edges and unlabel the nodes that no longer are; returns those.
std::vector<std::string> label_edges(exec::Runner& manager, const SwarmObservation& swarm, const Plan& plan,
                                     SyncResult& result) {
    std::set<std::string> wanted;
    for (const SwarmNode* node : plan.edges) {
        wanted.insert(node->id);
        if (node->edge_label != "true") {
            exec::run_checked(manager, node_label_add_argv(node->id),
                              "making node " + util::quoted(node->hostname) + " an edge of the router");
            result.nodes_added.push_back(node->hostname);
        }
    }
    std::vector<std::string> left;
    for (const auto& node : swarm.nodes) {
        if (node.edge_label == "true" && !wanted.count(node.id)) {
            exec::run_checked(manager, node_label_remove_argv(node.id),
                              "removing the edge label of node " + util::quoted(node.hostname));
            result.nodes_removed.push_back(node.hostname);
            left.push_back(node.id);
        }
    }
    return left;
}

}  // namespace

SyncResult sync_swarm(exec::Runner& manager, const std::string& state_dir, const SyncOptions& options,
                      const std::vector<std::string>& edges) {
    check_options(options);
    auto [lock, seen] = lock_and_observe(manager, state_dir, options.lock_wait_seconds);
    SwarmObservation swarm = observe_swarm(manager);
    SyncResult result;
    if (seen.swarm_routes.empty()) {
        remove_swarm_router(manager, swarm, result);
        lock->release();
        return result;
    }
    // Every route and the swarm are checked before anything changes.
    Plan plan = plan_router(seen, swarm, options, edges, manager.host());
    for (const auto& route : seen.swarm_routes) {
        result.domains.push_back(route.domain);
    }
    std::sort(result.domains.begin(), result.domains.end());

    // The manager's own router, left without routes (no plain instance there
    // has any: see check_no_plain_router), would hold the port.
    bool manager_is_edge = std::any_of(plan.edges.begin(), plan.edges.end(),
                                       [&](const SwarmNode* node) { return node->id == swarm.node_id; });
    if (manager_is_edge && seen.container) {
        exec::run_checked(manager, remove_argv(), "removing the host's own router, which no plain instance uses");
        if (!seen.config_sha256.empty()) {
            exec::run_checked(manager, remove_config_argv(seen.router_dir()),
                              "removing the host's own router's configuration");
        }
    }

    Applied applied = apply_service(manager, swarm, plan, result);
    // Nodes become edges once the service is as it should be: they start the
    // new task at once.
    std::vector<std::string> left = label_edges(manager, swarm, plan, result);
    // Also when nothing changed: a router that does not run on every edge is
    // an error to report, not "unchanged".
    wait_converged(manager, applied.since, applied.spec_hash, plan.targets, left, applied.new_config);
    // The configs it replaced, and any a failed sync left.
    std::vector<std::string> stale;
    std::copy_if(swarm.configs.begin(), swarm.configs.end(), std::back_inserter(stale),
                 [&](const std::string& name) { return name != plan.spec.config; });
    if (!stale.empty()) {
        exec::run_checked(manager, config_remove_argv(stale), "removing the router's previous configs");
    }
    lock->release();
    return result;
}

}  // namespace calzion::router
