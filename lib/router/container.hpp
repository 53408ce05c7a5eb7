#pragma once

#include <string>
#include <vector>

namespace calzion::router {

using Argv = std::vector<std::string>;

// The router of a host: one container of this name, labelled io.calzion.router=1.
inline constexpr const char* k_container = "calzion-router";
// While a router is replaced: the new one on trial (no port), and the old one
// (parked) until the new one serves.
inline constexpr const char* k_trial_container = "calzion-router-next";
inline constexpr const char* k_parked_container = "calzion-router-old";
inline constexpr const char* k_default_image = "nginx:1.27-alpine";
inline constexpr int k_default_http_port = 80;

// How the router container runs; a change to any of it re-creates the container.
struct ContainerSpec {
    std::string image = k_default_image;
    int http_port = k_default_http_port;  // the host port that reaches nginx's port 80
    std::string router_dir;               // <state_dir>/router on the host, absolute
};

// The hash of everything `docker run` is given for `spec`, recorded on the
// container as the label io.calzion.spec-hash.
std::string spec_hash(const ContainerSpec& spec);

// `docker run -d` of the router: restarted unless stopped, on the default bridge
// network (the instance networks are connected one by one), publishing
// http_port, with router_dir mounted read-only where nginx reads its
// configuration, and nginx as the command.
Argv run_argv(const ContainerSpec& spec);
// The same router on trial, as k_trial_container, publishing no port: it can
// run while the current router holds the port.
Argv trial_run_argv(const ContainerSpec& spec);

Argv remove_argv(const std::string& container = k_container);  // docker rm --force
Argv start_argv(const std::string& container = k_container);   // docker start
Argv stop_argv(const std::string& container = k_container);    // docker stop
Argv rename_argv(const std::string& from, const std::string& to);
// docker network connect NETWORK CONTAINER
Argv connect_argv(const std::string& network, const std::string& container = k_container);
Argv disconnect_argv(const std::string& network);    // docker network disconnect NETWORK calzion-router

}  // namespace calzion::router
