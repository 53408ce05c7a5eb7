#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "tmpl/spec.hpp"

namespace calzion::render {

// What a mount's source is. Written as "instance", "volume" and "bind" in
// deployment documents.
enum class MountType {
    instance,  // a directory inside the instance's state directory on the host
    volume,    // a named Docker volume
    bind,      // a path on the host
};

// How a container gets its image (docker run --pull). Written as "missing",
// "always" and "never".
enum class PullPolicy { missing, always, never };

// How a container is replaced: the new one starts before the old one stops, or
// after. Written as "start-first" and "stop-first".
enum class UpdateOrder { start_first, stop_first };

// The name each value is written as, and the value of a name (nullopt for a
// name that is none of them). The only place these names are spelled.
std::string_view to_string(MountType type);
std::string_view to_string(PullPolicy pull);
std::string_view to_string(UpdateOrder order);
std::optional<MountType> mount_type_named(std::string_view name);
std::optional<PullPolicy> pull_policy_named(std::string_view name);
std::optional<UpdateOrder> update_order_named(std::string_view name);

// A mount as the host will see it. For `instance` mounts, `source` is relative to
// the instance's state directory on the host, which only the host knows.
struct Mount {
    MountType type = MountType::instance;
    std::string source;
    std::string target;
    bool read_only = false;

    bool operator==(const Mount&) const = default;
};

// A domain the host's router sends to a port of a service's container
// (the infrastructure file's `domains`).
struct Route {
    std::string domain;  // "www.example.com"
    int port = 0;        // in the container

    bool operator==(const Route&) const = default;
};

// How Docker Swarm runs a service (an instance with `backend: swarm` in the
// infrastructure file; unset for plain docker). Part of the spec hash when set,
// so that changing the scale or the placement updates the service.
struct SwarmSpec {
    int replicas = 1;  // the infrastructure file's `scale`, else 1
    // Placement constraints, as `docker service create --constraint` takes
    // them: "node.hostname==node2", "node.labels.zone==east".
    std::vector<std::string> constraints;
    // "vip" or "dnsrr"; "" (auto): vip where the manager's kernel has IPVS,
    // else dnsrr.
    std::string endpoint_mode;
    // How published ports are published: "ingress" or "host"; "" (auto):
    // ingress where the manager's kernel has IPVS, else host.
    std::string publish_mode;

    bool operator==(const SwarmSpec&) const = default;
};

// One service of an instance, fully resolved: everything docker needs to run it.
struct RenderedService {
    std::string name;
    std::string container;  // <instance>_<service> (render::container_name)
    std::string image;      // for built services: <instance>_<service>:<commit> once known
    std::optional<std::string> git;
    std::optional<tmpl::Build> build;
    std::optional<std::vector<std::string>> command;
    std::optional<std::vector<std::string>> entrypoint;
    std::map<std::string, std::string> env;
    std::vector<std::string> secrets;  // names only: values never enter a rendering
    std::map<std::string, std::string> labels;
    std::vector<Mount> mounts;
    std::vector<tmpl::Port> ports;
    std::vector<std::string> after;  // services that must be up first (depends_on + expose)
    std::optional<tmpl::Healthcheck> healthcheck;
    std::vector<std::vector<std::string>> init;  // run once per instance (a marker on the host)
    std::optional<PullPolicy> pull;  // none: the deploy's default (missing)
    std::string restart;
    UpdateOrder update = UpdateOrder::start_first;
    std::string user;
    std::string workdir;
    std::string memory;
    std::string cpus;
    std::vector<std::string> options;
    std::vector<Route> routes;  // not part of the spec hash: the router serves them, not the container
    std::optional<SwarmSpec> swarm;  // set for a swarm instance (written as "swarm" only then)
    std::string spec_hash;  // sha256 of the canonical resolved spec
    // Read from a record that lacks these fields ("pull", "routes" from before
    // they existed; others from a record written by hand): each reads as its
    // default, is written back absent, and a service lacking any but "pull" and
    // "routes" cannot be run again (see check_complete).
    std::set<std::string> absent;
};

// What one instance of a template resolves to.
struct Deployment {
    std::string instance;
    std::string network;  // cz-<instance>
    std::optional<int> revision;
    std::vector<RenderedService> services;  // in start order: dependencies first

    const RenderedService* find(const std::string& name) const;
};

}  // namespace calzion::render
