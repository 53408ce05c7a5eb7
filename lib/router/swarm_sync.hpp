#pragma once

#include <string>
#include <vector>

#include "exec/runner.hpp"
#include "router/sync.hpp"

namespace calzion::router {

// How long sync_swarm waits for the router's service to converge (every edge
// node running the new task, one node after the other) or to be gone.
inline constexpr int k_swarm_converge_seconds = 120;

// Bring the swarm's router in line with the routes of every swarm instance
// recorded in `state_dir` on `manager` ("" for its default), under the
// manager's router lock (the one sync takes): a global Swarm service
// calzion-router (see swarm_service.hpp) on the nodes `edges` names (each a
// node's hostname, id or address; empty: the manager), publishing
// options.http_port in host mode, serving render_config of those routes from a
// Swarm config named per content, on every instance network with routes.
//
// Only what differs changes, in one `docker service update`: a rolling
// update, one edge at a time, each edge's old task stopped before the new one
// takes the port, so that each edge in turn goes without its router for the
// few seconds Swarm takes to start a task (never all edges at once; serve
// through two edges or more to keep serving). A new configuration is a new
// config swapped in (reloaded), networks are added (connected) or removed
// (disconnected), a new image or port updates the tasks (created, as for a
// re-created container); nodes become edges by the label io.calzion.edge=true
// (nodes_added) or stop being ones (nodes_removed). Then it waits, up to
// k_swarm_converge_seconds, until every available edge runs the new task and
// nodes no longer edges have stopped theirs, also when nothing changed (a
// router that does not run on every available edge is an error, not
// "unchanged"); then the router's configs no longer used are removed. Nothing
// changes when nothing differs. Edge nodes that are down, paused or drained
// are not waited for: Swarm starts the router there when they return. Without
// routes, the service, its configs and the edge labels are removed (removed),
// and it waits until the service's tasks are gone (so that the networks it
// left can be removed).
//
// Throws, before anything changes: Error(usage) for an invalid image or port;
// Error(invalid_data) when a route cannot be rendered (see render_config),
// when an edge names no node of the swarm, or when the manager is an edge and
// plain instances recorded there route domains through its own router, which
// holds the same port; Error(operation_failed) when the manager is no manager
// of an active swarm, an instance's network is not on the swarm, no edge node
// is ready and active, or a service calzion-router exists that calzion did not
// create. Error(operation_failed) naming the step and docker's message when a
// docker command fails, and when the update fails (rolled back: the previous
// router serves; paused), tasks keep failing (three times) or it does not
// converge in time, with the tasks' states and errors. And the errors of
// lock_and_observe.
SyncResult sync_swarm(exec::Runner& manager, const std::string& state_dir, const SyncOptions& options,
                      const std::vector<std::string>& edges);

}  // namespace calzion::router
