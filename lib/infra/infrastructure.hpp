#pragma once

#include <map>
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

// One instance's settings.
struct Instance {
    std::string name;
    std::vector<std::string> hosts;
    std::map<std::string, std::string> vars;
    std::map<std::string, std::string> place;                 // service -> host
    std::map<std::string, std::vector<std::string>> domains;  // service -> domains
    std::string backend = "docker";                           // "docker" or "swarm"
    std::string manager;                                      // swarm: the manager host
    std::string builder;  // where the instance's pipeline jobs run; empty: its first host
    std::map<std::string, int> scale;                         // swarm: replicas per service
    SourceLocation where;
    std::map<std::string, SourceLocation> service_where;  // where `place`/`domains`/`scale` name each service
    std::map<std::string, SourceLocation> domain_where;   // where `domains` names each domain
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

    const Host* host(const std::string& name) const;
    const Instance* instance(const std::string& name) const;
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
