#pragma once

#include <string>
#include <vector>

namespace calzion::router {

// The host side of the router: constant POSIX sh scripts run as
// `sh -c SCRIPT calzion ARGS...`, every value an argument (see state/scripts.hpp).
// The router's files live in <state_dir>/router: nginx.conf, and the lock.

// argv that prints what the router needs to know about a host (see
// router::parse_observation): the state directory, the state format, the
// sha256 of the router's configuration, the current revision of every
// instance, and the containers labelled io.calzion.router=1. Argument: the state
// dir ("" for the host's default).
std::vector<std::string> observe_argv(const std::string& state_dir);

// argv that takes the host's router lock, waiting up to `wait_seconds` for
// another holder, prints "@@calzion locked" and what observe_argv prints, then
// holds the lock until its stdin closes (calzion finishing, dying or losing the
// connection). When the lock stays held: prints "@@calzion held" and the holder,
// exits exec::k_status_lock_held; when the state directory cannot be written,
// exits exec::k_status_denied (see state::lock_function).
std::vector<std::string> lock_and_observe_argv(const std::string& state_dir, const std::string& owner,
                                               int wait_seconds);

// argv that writes the configuration arriving on stdin as
// <router_dir>/nginx.conf, atomically.
std::vector<std::string> write_config_argv(const std::string& router_dir);

// argv that replaces the configuration of the running router container with
// the one arriving on stdin: written beside the current one, checked with
// `nginx -t` in the container (exit 3 with nginx's message on stderr when it is
// refused, the current configuration untouched), renamed over it, and loaded
// with `nginx -s reload` (exit 4 when that fails). It ends once the workers
// that ran before the reload take no new connections (exit 5 when that takes
// more than 10 s): from then on the new configuration serves every request.
// `config_dir` is where the container sees router_dir.
std::vector<std::string> replace_config_argv(const std::string& router_dir, const std::string& container,
                                             const std::string& config_dir);

// argv that checks a router container just created or started: `nginx -t` of
// `config_file` in it (exit 3 with nginx's message on stderr), then waits until
// nginx has workers (exit 5 after 10 s).
std::vector<std::string> check_router_argv(const std::string& container, const std::string& config_file);

// argv that removes the router's configuration from the host.
std::vector<std::string> remove_config_argv(const std::string& router_dir);

}  // namespace calzion::router
