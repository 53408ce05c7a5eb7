#pragma once

#include <optional>
#include <string>
#include <vector>

namespace calzion::cli {

// Options every command takes.
struct GlobalOptions {
    std::vector<std::string> hosts;
    std::string ssh_config;
    std::string infra;  // --infra: the infrastructure file
    bool accept_new_host_key = false;
    std::string lock_timeout = "0";
    std::vector<std::string> set;
    std::vector<std::string> vars_files;
    bool json = false;
    bool quiet = false;
    bool verbose = false;
    std::string color = "auto";
};

// The command line, parsed: which command, and everything it was given.
struct Invocation {
    std::string command;  // "validate", "render", "init", ...
    GlobalOptions global;
    std::string template_file;
    std::string instance;
    std::string format = "yaml";
    std::optional<int> revision;
    std::string starter;
    std::string output = "calzion.yaml";
    bool force = false;
    bool list = false;
    bool detailed_exitcode = false;
    bool dry_run = false;
    bool prune = false;
    bool volumes = false;
    bool missing_ok = false;            // status, destroy: an instance that is not there is no error
    bool allow_dirty = false;           // plan, deploy: build a context with uncommitted changes
    bool build_local = false;           // deploy: build here, docker save | docker load to the hosts
    std::string pull;  // deploy --pull; empty: each service's own policy
    int wait_timeout = 120;
    std::vector<std::string> secrets_files;
    std::vector<std::string> services;  // restart/stop/start: empty means all
    std::optional<int> to_revision;     // rollback --to
    bool break_lock = false;            // lock --break
    std::string service;                // logs, exec
    bool follow = false;                // logs -f
    std::string tail;                   // logs --tail
    std::string since;                  // logs --since
    bool timestamps = false;            // logs --timestamps
    std::vector<std::string> exec_command;  // exec: what to run
    bool interactive = false;           // exec -i
    bool no_tty = false;                // exec -T
    std::string user;                   // exec --user
    std::string workdir;                // exec --workdir
    std::string router_image;           // router sync --image; empty: the default
    std::optional<int> http_port;       // router sync --http-port; none: the default
    std::string ref;                    // pipeline run --ref
    std::string repo;                   // pipeline run --repo; empty: the template's repository
    std::string notify;                 // pipeline run --notify; empty: the pipeline's own
    std::string job_id;                 // job show/logs/cancel
    std::string step;                   // job logs: one step; empty: every step
    std::vector<std::string> instances; // pipeline work: the instances whose queues to work; empty: all
    bool once = false;                  // pipeline work --once: run what is queued, then end
    bool no_coalesce = false;           // pipeline work, ship: every queued job releases
    bool deploy_release = false;        // pipeline enqueue --deploy: the release deploys, as ship's
    bool if_changed = false;            // ship --if-changed
    bool retry_failed = false;          // ship --retry-failed
    std::string instance_suffix;        // ship, pipeline run/enqueue: a preview instance <instance>-<suffix>
};

// Parse argv. Returns nullopt when the command line asked for help or the version,
// which have then been printed. Throws Error(usage) on a bad command line.
std::optional<Invocation> parse_command_line(int argc, char** argv);

}  // namespace calzion::cli
