#pragma once

#include <string>
#include <vector>

#include "exec/runner.hpp"
#include "router/container.hpp"

namespace calzion::router {

struct SyncOptions {
    std::string image = k_default_image;  // the router's image (pulled when the host lacks it)
    int http_port = k_default_http_port;  // the host port it serves HTTP on
    int lock_wait_seconds = 60;           // how long another calzion may hold the router lock
};

// What sync did on a host.
struct SyncResult {
    std::vector<std::string> domains;       // served now, sorted
    bool created = false;                   // the container was created (or re-created for a new image or port)
    bool started = false;                   // it was stopped and has been started
    bool reloaded = false;                  // the running router loaded a new configuration
    bool removed = false;                   // no routes are left: container and configuration removed
    std::vector<std::string> connected;     // instance networks the router joined
    std::vector<std::string> disconnected;  // and those it left
    std::vector<std::string> nodes_added;    // swarm (sync_swarm): nodes made edges, where it runs now too
    std::vector<std::string> nodes_removed;  // and nodes no longer edges

    bool changed() const {
        return created || started || reloaded || removed || !connected.empty() || !disconnected.empty() ||
               !nodes_added.empty() || !nodes_removed.empty();
    }
};

// Throws Error(usage) when `options` name an invalid image or port.
void check_options(const SyncOptions& options);

// Bring the host's router in line with the routes of every plain instance
// recorded in `state_dir` (swarm instances have the swarm's router: see
// sync_swarm) ("" for the host's default), under the host's router lock.
// Without routes, the router container and its configuration are removed.
// Otherwise the configuration is rendered (nothing changes when it cannot be:
// see render_config); the container is created when missing or run differently
// than `options` say (image, port), started when stopped, connected to every
// network of an instance with routes before the new configuration is loaded and
// disconnected from the others after. A new configuration is checked with
// `nginx -t` in the container before it replaces the one being served, then
// loaded by a graceful `nginx -s reload`, which drops no connection. Throws
// Error(usage) for an invalid image or port, Error(operation_failed) naming the
// step and docker's or nginx's message when one fails (a refused configuration
// leaves the current one serving), and the errors of lock_and_observe.
SyncResult sync(exec::Runner& runner, const std::string& state_dir, const SyncOptions& options);

// What sync or sync_swarm did, in one line: "serves 2 domains (a.example.com,
// b.example.com): created, joined cz-a, cz-b", "serves 1 domain
// (a.example.com): reloaded, now on node3, off node1", "serves 1 domain
// (a.example.com): unchanged", "removed: no instance routes a domain".
std::string summary(const SyncResult& result);

}  // namespace calzion::router
