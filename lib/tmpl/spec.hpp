#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "util/error.hpp"

namespace calzion::tmpl {

// The typed form of a template, after interpolation. Every string here is final.

struct Build {
    std::string context = ".";
    std::string dockerfile;  // empty: the context's Dockerfile
    std::map<std::string, std::string> args;
    std::string target;
};

struct Healthcheck {
    std::vector<std::string> cmd;  // argv; one element means a shell command line
    std::string interval;          // docker durations: "10s", "1m30s"
    std::string timeout;
    std::string start_period;
    std::optional<int> retries;
};

struct Volume {
    enum class Kind {
        instance,  // `/data`: a directory inside the instance's state directory
        named,     // `name:/data`: a Docker volume scoped to the instance
        bind,      // `/host/path:/data`: an explicit bind mount
    };
    Kind kind = Kind::instance;
    std::string source;  // volume name or host path; empty for `instance`
    std::string target;  // path inside the container
    bool read_only = false;
};

// A port published on the host: `[ip:]host:container[/proto]` or `container`.
struct Port {
    std::string host_ip;
    int host_port = 0;  // 0: let docker choose
    int container_port = 0;
    std::string protocol = "tcp";
};

// `expose: {"svc:name-or-port": VAR}` or the mapping form with a URL format.
struct Expose {
    std::string service;
    std::string port;    // a registered name or a port number, as written
    std::string env;     // the variable to set
    std::string format;  // "{host}:{port}" unless given
    SourceLocation where;
};

struct Service {
    std::string name;
    SourceLocation where;
    std::string image;  // empty when built from `git` or `build`
    std::optional<std::string> git;
    std::optional<Build> build;
    std::optional<std::vector<std::string>> cmd;
    std::optional<std::vector<std::string>> entrypoint;
    std::map<std::string, std::string> env;
    std::vector<std::string> secrets;
    std::vector<Volume> volumes;
    std::vector<Port> ports;
    std::map<int, std::string> registered;  // port -> name, from `register`
    std::vector<Expose> expose;
    std::vector<std::string> depends_on;
    std::vector<SourceLocation> depends_on_where;  // where each depends_on entry is written
    std::optional<Healthcheck> healthcheck;
    std::vector<std::vector<std::string>> init;  // run once per instance, after it first starts
    std::string pull;  // "always", "missing", "never"; empty: deploy --pull decides (default missing)
    std::string restart = "unless-stopped";
    std::string update;  // "start-first", "stop-first", or empty: decided at deploy
    std::map<std::string, std::string> labels;
    std::string user;
    std::string workdir;
    std::string memory;
    std::string cpus;
    std::vector<std::string> options;
};

struct Template {
    std::string file;
    std::map<std::string, std::string> env;   // for every service
    std::map<std::string, std::string> vars;  // variable defaults
    std::string min_version;                  // calzion: {min_version: "0.1"}
    SourceLocation min_version_where;
    std::vector<Service> services;            // in template order

    const Service* find(const std::string& name) const;
};

}  // namespace calzion::tmpl
