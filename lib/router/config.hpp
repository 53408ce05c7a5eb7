#pragma once

#include <string>
#include <vector>

#include "router/route.hpp"

namespace calzion::router {

// Where the router container finds its configuration: the host's
// <state_dir>/router directory, mounted read-only (a directory, not the file,
// so that a file replaced by rename is seen at once).
inline constexpr const char* k_config_dir = "/etc/calzion";
inline constexpr const char* k_config_file = "/etc/calzion/nginx.conf";
// The port nginx listens on inside the container.
inline constexpr int k_listen_port = 80;

// The nginx configuration that serves `routes`, in any order: one server per
// domain (its exact name, proxied to SERVICE.NETWORK:port, the service's alias
// on its instance network, with the Host,
// X-Forwarded-For and X-Forwarded-Proto headers), names looked up in Docker's
// DNS when a request comes so that nginx starts while a backend is down, and a
// default server that answers 404 to every other name. The same routes give the
// same bytes. Throws Error(invalid_data) listing every problem when a domain is
// routed twice (naming both instances) or a value could not be written safely
// into the file (a domain that is no host name, a port out of range, a name
// with characters Docker does not allow).
std::string render_config(std::vector<Route> routes);

}  // namespace calzion::router
