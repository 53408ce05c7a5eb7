#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "exec/runner.hpp"
#include "router/route.hpp"
#include "state/lock.hpp"

namespace calzion::router {

// The router container as a host runs it.
struct RouterContainer {
    std::string status;                // running, exited, ...
    std::string spec_hash;             // its label io.calzion.spec-hash
    std::set<std::string> networks;    // every network it is connected to
};

// Everything one round trip tells about a host's router.
struct Observation {
    std::string state_dir;                     // absolute, as the host resolved it
    std::string config_sha256;                 // of <state_dir>/router/nginx.conf; empty without one
    std::optional<RouterContainer> container;  // the container named calzion-router
    std::vector<Route> routes;                 // of every plain instance's current revision
    // Of every swarm instance's (one whose services run on Docker Swarm: each
    // recorded with render::SwarmSpec): served by the swarm's router (see
    // sync_swarm), never by this host's container.
    std::vector<Route> swarm_routes;

    std::string router_dir() const { return state_dir + "/router"; }
};

// Parse what the router scripts print on `host` (from "@@calzion state_dir"
// to "@@calzion end"). Instances whose directory name is not an instance name,
// or whose current revision has no file (being destroyed), have no routes; a
// revision without "routes" has none either. Throws Error(invalid_data) when a
// revision cannot be read or routes to a port out of range (naming its file and
// `host`, see state::parse_revision) or the state format is newer than this
// calzion's, and Error(operation_failed) when docker could not be asked or the
// output is cut short.
Observation parse_observation(const std::string& output, const std::string& host);

// Every route of every instance recorded in the state directory on the host
// ("" for its default), with its instance, container and network, read in one
// round trip without a lock: those of plain instances, then those of swarm
// instances. Throws as parse_observation does, and
// Error(operation_failed) when the host cannot run the script.
std::vector<Route> collect_routes(exec::Runner& runner, const std::string& state_dir);

// Take the host's router lock (waiting up to `wait_seconds` for another
// calzion) and observe the host under it, in one round trip. The lock is held
// until the returned Lock is released or destroyed, and let go by the host if
// calzion or the connection dies. Throws Error(lock_held) naming the holder when
// the lock stays held, Error(permission) when the state directory cannot be
// written, else as parse_observation does.
std::pair<std::unique_ptr<state::Lock>, Observation> lock_and_observe(exec::Runner& runner,
                                                                      const std::string& state_dir,
                                                                      int wait_seconds);

}  // namespace calzion::router
