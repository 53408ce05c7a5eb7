#pragma once

#include <string>
#include <vector>

namespace calzion::router {

using Argv = std::vector<std::string>;

// The router of a host: one container of this name, labelled io.calzion.router=1.
inline constexpr const char* k_container = "calzion-router";
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

Argv remove_argv();                                  // docker rm --force calzion-router
Argv start_argv();                                   // docker start calzion-router
Argv connect_argv(const std::string& network);       // docker network connect NETWORK calzion-router
Argv disconnect_argv(const std::string& network);    // docker network disconnect NETWORK calzion-router

}  // namespace calzion::router
