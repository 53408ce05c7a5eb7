// The router's nginx configuration, generated from the routes of every
// instance on a host. Everything written into it is validated first: the
// configuration is a language, and a value from a host's state must not be able
// to add a directive to it.

#include "router/config.hpp"

#include <algorithm>
#include <cctype>
#include <tuple>

#include "infra/domain.hpp"
#include "tmpl/names.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace calzion::router {

namespace {

// The head of the file: everything that does not depend on the routes.
constexpr const char* k_head = R"(# The router of this host, written by calzion from the current revision of every
# instance: do not edit, `calzion router sync` writes it again.
daemon off;
error_log stderr;

events {
    worker_connections 1024;
}

http {
    access_log /dev/stdout;
    server_names_hash_max_size 4096;
    server_names_hash_bucket_size 512;
    # Docker's DNS, which knows the containers of every network the router is
    # connected to. With the address in a variable, a name is looked up when a
    # request comes: nginx starts and reloads while a backend is down. Names
    # are kept 1 s: a replaced container, out of its alias, gets no request
    # after that.
    resolver 127.0.0.11 valid=1s ipv6=off;
    proxy_http_version 1.1;
    proxy_set_header Host $host;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_set_header X-Forwarded-Proto $scheme;
)";

// Docker's rule for container and network names: [a-zA-Z0-9][a-zA-Z0-9_.-]*.
bool is_docker_name(const std::string& name) {
    if (name.empty() || !std::isalnum(static_cast<unsigned char>(name.front()))) {
        return false;
    }
    return std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
    });
}

std::string owner_of(const Route& route) {
    return "instance " + util::quoted(route.instance) + " (service " + util::quoted(route.service) + ")";
}

void check_route(const Route& route, Diagnostics& problems) {
    std::string where = owner_of(route) + ": ";
    if (auto problem = tmpl::dns_label_problem(route.instance)) {
        problems.add({}, "invalid instance name " + util::quoted(route.instance) + " on the host: " + *problem);
    }
    if (auto problem = tmpl::dns_label_problem(route.service)) {
        problems.add({}, where + "invalid service name: " + *problem);
    }
    if (auto problem = infra::domain_problem(route.domain)) {
        problems.add({}, where + "cannot route domain " + util::quoted(route.domain) + ": " + *problem);
    }
    if (route.port < 1 || route.port > 65535) {
        problems.add({}, where + "domain " + util::quoted(route.domain) + ": port " + std::to_string(route.port) +
                             " is not from 1 to 65535");
    }
    if (!is_docker_name(route.container)) {
        problems.add({}, where + "invalid container name " + util::quoted(route.container));
    }
    if (!is_docker_name(route.network)) {
        problems.add({}, where + "invalid network name " + util::quoted(route.network));
    }
}

// The server for names no instance routes.
std::string default_server() {
    return "\n    # Names no instance routes.\n    server {\n        listen " + std::to_string(k_listen_port) +
           " default_server;\n        return 404;\n    }\n";
}

// The service's alias qualified by its network (Docker's DNS answers
// "alias.network"): unique among the networks the router is on, and it names
// only containers that are ready, as the replacement of a container gives the
// alias to the new one once ready.
std::string backend_name(const Route& route) { return route.service + "." + route.network; }

std::string server_block(const Route& route) {
    return "\n    # " + route.domain + ": instance " + route.instance + ", service " + route.service +
           "\n    server {\n        listen " + std::to_string(k_listen_port) + ";\n        server_name " +
           route.domain + ";\n        location / {\n            set $calzion_backend http://" + backend_name(route) +
           ":" + std::to_string(route.port) + ";\n            proxy_pass $calzion_backend;\n        }\n    }\n";
}

}  // namespace

std::string render_config(std::vector<Route> routes) {
    std::sort(routes.begin(), routes.end(), [](const Route& a, const Route& b) {
        return std::tie(a.domain, a.instance, a.service, a.port) < std::tie(b.domain, b.instance, b.service, b.port);
    });
    Diagnostics problems;
    for (size_t i = 0; i < routes.size(); ++i) {
        check_route(routes[i], problems);
        if (i > 0 && routes[i].domain == routes[i - 1].domain) {
            problems.add({}, "domain " + util::quoted(routes[i].domain) + " is routed by both " +
                                 owner_of(routes[i - 1]) + " and " + owner_of(routes[i]) +
                                 ": a domain can go to one service only");
        }
    }
    problems.throw_if_any(ErrorKind::invalid_data);
    std::string config = k_head + default_server();
    for (const auto& route : routes) {
        config += server_block(route);
    }
    return config + "}\n";
}

}  // namespace calzion::router
