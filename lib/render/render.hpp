#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "render/deployment.hpp"
#include "render/interpolate.hpp"
#include "tmpl/document.hpp"

namespace calzion::render {

// A template file as read from disk.
struct Source {
    std::string file;
    std::string text;
    tmpl::Node root;
};

// Read and parse the YAML of a template file. Throws Error(usage) when the file
// cannot be read, Error(invalid_data) with its location on a YAML syntax error.
Source load_source(const std::string& path);

// Where an instance's services run, for rendering one host's share of them.
struct Placement {
    std::string host;                                 // the host being rendered; empty: every host
    std::map<std::string, std::string> hosts;         // service -> host
    std::map<std::string, std::string> addresses;     // host -> address other hosts reach it at
};

// What a rendering depends on besides the template.
// What the infrastructure file says of an instance with `backend: swarm`:
// render gives every service a SwarmSpec from it.
struct SwarmOptions {
    std::map<std::string, int> replicas;                              // service -> `scale` (else 1)
    std::map<std::string, std::vector<std::string>> constraints;      // service -> from `place`
    std::string endpoint_mode;                                        // "", "vip", "dnsrr"
    std::string publish_mode;                                         // "", "ingress", "host"
    // The infrastructure file's `registry` ("10.0.0.2:5000"), or "": images
    // built from source are named "<registry>/<instance>_<service>:<commit>"
    // so that every node can pull them once deploy pushed them.
    std::string registry;
};

struct RenderOptions {
    std::string instance;
    int revision = 1;  // the value of ${revision}
    // Variables from --set, the infrastructure file, --vars-file and the environment,
    // strongest first; the template's own `vars` are added as the weakest layer.
    Variables variables;
    // Commit of each built (`git`/`build`) service, when known: it names the image.
    std::map<std::string, std::string> commits;
    // With placement (an infrastructure file): render only the services of one host.
    std::optional<Placement> placement;
    // The infrastructure file's `domains` of the instance: service -> domains.
    std::map<std::string, std::vector<std::string>> domains;
    // Set for an instance with `backend: swarm`.
    std::optional<SwarmOptions> swarm;
};

// Check a template without any variable: its structure, every key and type, names,
// relations between services and the syntax of every reference. Throws one
// Error(invalid_data) carrying every problem found.
void validate(const Source& source);

// Check, without any variable, each expose between two services that `place`
// (service -> host) puts on different hosts: the provider must publish a host
// port for the port used. A service whose ports still hold a reference is
// left out. Throws Error(invalid_data) with each problem located at its expose.
void check_place(const Source& source, const std::map<std::string, std::string>& place);

// Render the template for one instance: interpolate, check, and resolve every
// service. Pure: the same inputs give the same Deployment. Throws
// Error(invalid_data) carrying every problem, each with its location.
Deployment render(const Source& source, const RenderOptions& options);

}  // namespace calzion::render
