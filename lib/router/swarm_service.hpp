#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "router/container.hpp"

namespace calzion::router {

// The router of the swarm instances of a Docker Swarm: one global Swarm service
// of this name, labelled io.calzion.router=1, constrained to the nodes labelled
// k_edge_label=true (Swarm ANDs constraints: a label is the one way to name
// several nodes), publishing its port in host mode on each of them, on every
// instance network with routes, with nginx.conf from a Swarm config.
inline constexpr const char* k_swarm_service = "calzion-router";
inline constexpr const char* k_edge_label = "io.calzion.edge";
// The service's placement constraint.
inline constexpr const char* k_edge_constraint = "node.labels.io.calzion.edge==true";
// The router's Swarm configs are named per content: this, then 8 hex digits.
inline constexpr const char* k_swarm_config_prefix = "calzion-router-";

// How the swarm's router runs; anything else calzion leaves as it finds it.
struct SwarmRouterSpec {
    std::string image;
    int http_port = k_default_http_port;  // published in host mode on every edge node
    std::string config;                   // the Swarm config mounted as nginx.conf
    std::set<std::string> networks;       // instance networks, by name
};

// The Swarm config that holds `config_text`: "calzion-router-" and the first
// 8 hex digits of its sha256.
std::string swarm_config_name(const std::string& config_text);

// The hash of `spec`, recorded on the service's tasks as the container label
// io.calzion.spec-hash: a task that carries it runs `spec`.
std::string swarm_spec_hash(const SwarmRouterSpec& spec);

// The values given to --publish, --config and the command.
std::string swarm_publish(int http_port);                 // "published=80,target=80,mode=host"
std::string swarm_config_mount(const std::string& name);  // "source=NAME,target=/etc/calzion/nginx.conf,mode=0444"
std::vector<std::string> swarm_router_command();          // nginx -c /etc/calzion/nginx.conf

// `docker config create` of `name`, labelled io.calzion.router=1, its content
// on stdin.
Argv config_create_argv(const std::string& name);
// `docker config rm` of `names`.
Argv config_remove_argv(const std::vector<std::string>& names);

// `docker service create --detach` of the router: global, on the edge nodes,
// its port published in host mode, the config mounted where nginx reads it, on
// `spec.networks` (sorted); updated one node at a time, the old task stopped
// before the new one starts (both cannot hold the host port), rolled back when
// the new one fails; stopped by SIGQUIT, nginx's graceful shutdown; the image
// used as named (--no-resolve-image: nodes may have it without a registry).
Argv service_create_argv(const SwarmRouterSpec& spec);
Argv service_remove_argv();  // docker service rm calzion-router

// What an update of the running service changes, each list in the order its
// options are given. Empty when the service runs as it should.
struct ServiceChanges {
    std::string image;                        // --image; empty: unchanged
    std::vector<std::string> publish_rm;      // --publish-rm of each published port that is not ours
    int publish = 0;                          // --publish-add of this port in host mode; 0: unchanged
    std::vector<std::string> constraint_rm;   // --constraint-rm
    bool constrain = false;                   // --constraint-add of k_edge_constraint
    bool command = false;                     // --args: nginx's command line differs
    std::vector<std::string> config_rm;       // --config-rm, by name
    std::string config_add;                   // --config-add of this config; empty: unchanged
    std::vector<std::string> network_add;     // --network-add, by name
    std::vector<std::string> network_rm;      // --network-rm, by name (by id when it has none)

    bool empty() const;
};

// `docker service update --detach` of the router with `changes`, its tasks
// then labelled with `spec_hash`.
Argv service_update_argv(const ServiceChanges& changes, const std::string& spec_hash);

// `docker node update` adding k_edge_label=true to `node`, or removing it.
Argv node_label_add_argv(const std::string& node);
Argv node_label_remove_argv(const std::string& node);

}  // namespace calzion::router
