#pragma once

#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "util/error.hpp"

namespace calzion::infra {

// The infrastructure file (calzion(1) INFRASTRUCTURE FILE): which hosts exist, and per instance which
// hosts it uses, its variables, where its services run and which domains
// reach them. Optional: without one, --host names the hosts.

// A host the file names.
struct Host {
    std::string name;       // as instances refer to it, and as messages show it
    std::string address;    // [user@]host[:port], an ssh_config alias, or "local"
    std::string state_dir;  // empty: the host's default
    // How the other hosts reach this one (expose across hosts); empty: the host
    // part of `address`.
    std::string private_address;
    SourceLocation where;

    std::string reachable_at() const;
};

// What the preview instances of an instance get (calzion(1) INFRASTRUCTURE
// FILE, "previews"): a preview "<instance>-<suffix>", e.g. "myapp-pr-42", is
// the instance on the same hosts with these domains and variables, "{suffix}"
// in them standing for its suffix.
struct Previews {
    std::map<std::string, std::vector<std::string>> domains;  // service -> domain patterns, each with "{suffix}"
    std::map<std::string, std::string> vars;                  // over the instance's own
    SourceLocation where;                                     // the "previews" key
    std::map<std::string, SourceLocation> service_where;      // where `domains` names each service
    std::map<std::string, SourceLocation> pattern_where;      // where `domains` names each pattern
};

// `text` with every "{suffix}" replaced by `suffix`.
std::string with_suffix(const std::string& text, const std::string& suffix);

// One instance's settings.
struct Instance {
    std::string name;
    // The hosts it uses. With swarm: the swarm's nodes, named as `docker node
    // ls` shows their hostnames; the manager is always one of them (first,
    // when the file's "hosts" does not list it).
    std::vector<std::string> hosts;
    std::map<std::string, std::string> vars;
    std::map<std::string, std::string> place;                 // service -> host (swarm: node)
    std::map<std::string, std::vector<std::string>> domains;  // service -> domains
    std::string backend = "docker";                           // "docker" or "swarm"
    std::string manager;                                      // swarm: the manager host
    std::string builder;  // where the instance's pipeline jobs run; empty: its first host
    std::map<std::string, int> scale;                         // swarm: replicas per service
    // swarm: `place` may also name node labels a service's nodes must have:
    // service -> label -> value (`place: {web: {labels: {zone: east}}}`);
    // a service in `place` (above) runs on that node.
    std::map<std::string, std::map<std::string, std::string>> place_labels;
    // swarm: the nodes (hosts of this file) where the router runs, as a global
    // service publishing its port in host mode; empty: the manager.
    std::vector<std::string> edges;
    std::string endpoint_mode;  // swarm: "vip", "dnsrr" or "" (auto: vip where the kernel has IPVS)
    std::string publish_mode;   // swarm: "ingress", "host" or "" (auto: ingress where the kernel has IPVS)
    SourceLocation where;
    std::map<std::string, SourceLocation> service_where;  // where `place`/`domains`/`scale` name each service
    std::map<std::string, SourceLocation> domain_where;   // where `domains` names each domain
    std::optional<Previews> previews;                     // set when the instance has preview instances
};

// The preview instances Infrastructure::instance() has derived, kept so that
// the pointers it hands out stay valid as long as the Infrastructure does (a
// deque never moves its elements). Safe to use from several threads. A copy
// starts empty: it derives again what it needs.
class DerivedInstances {
public:
    DerivedInstances() = default;
    DerivedInstances(const DerivedInstances& /*other*/) {}
    DerivedInstances& operator=(const DerivedInstances& other);
    ~DerivedInstances() = default;

    // The instance `name` derived earlier, else the one `derive` gives, kept;
    // nullptr when `derive` gives none. What `derive` throws goes through.
    const Instance* find_or_add(const std::string& name, const std::function<std::optional<Instance>()>& derive) const;

private:
    mutable std::mutex m_mutex;
    mutable std::deque<Instance> m_instances;
};

// The router every host with domains runs (calzion(1) INFRASTRUCTURE FILE).
struct Router {
    std::string image = "nginx:1.27-alpine";
    int http_port = 80;
};

struct Infrastructure {
    std::string file;
    std::string text;  // as read, for the source lines of later messages
    std::vector<Host> hosts;
    std::vector<Instance> instances;
    Router router;
    // Where swarm instances' images built from source are pushed, so that every
    // node can pull them ("10.0.0.2:5000"); empty: deploy loads them on every
    // node of the instance instead.
    std::string registry;

    DerivedInstances derived;  // the preview instances instance() has handed out

    const Host* host(const std::string& name) const;

    // The instance `name`: the one listed under "instances", else the preview
    // instance preview() derives, kept in `derived`; nullptr when there is
    // neither. The pointer stays valid as long as this Infrastructure. Throws
    // what preview() throws.
    const Instance* instance(const std::string& name) const;

    // The preview instance `name`, "<base>-<suffix>" where `base` is a listed
    // instance with "previews" (the longest such name when several fit):
    // base's hosts, place, backend, manager, builder, scale, place_labels,
    // edges, endpoint_mode, publish_mode and vars, plus
    // previews.vars and the variable "preview_suffix" holding `suffix`, with
    // the domains of previews.domains, "{suffix}" replaced; base's own domains
    // are not inherited. nullopt when `name` is listed itself or no base fits.
    // Throws Error(usage) when `name` or `suffix` is no valid name, and
    // Error(invalid_data), located at the pattern, when a derived domain is no
    // valid domain or is one of a listed instance's domains.
    std::optional<Instance> preview(const std::string& name) const;
};

// The file beside `template_file` that is read when --infra is not given.
inline constexpr const char* k_default_file = "calzion.infra.yaml";

// Which infrastructure file applies: `explicit_path` when given, else
// calzion.infra.yaml beside the template (or in the current directory when a
// command has no template), if it exists.
std::optional<std::string> find_file(const std::string& explicit_path, const std::string& template_file);

// Read and check an infrastructure file. Throws Error(usage) when it cannot be
// read and Error(invalid_data) carrying every problem, each at file:line:col.
Infrastructure load(const std::string& path);

}  // namespace calzion::infra
