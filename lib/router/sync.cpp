// Syncing a host's router: observe (under the router lock), render the
// configuration, then change only what differs, in an order that keeps serving:
// networks are joined before a configuration that needs them is loaded and left
// only after one that no longer does.

#include "router/sync.hpp"

#include <algorithm>
#include <iterator>
#include <set>

#include "exec/run_checked.hpp"
#include "exec/script_status.hpp"
#include "router/config.hpp"
#include "router/observe.hpp"
#include "router/scripts.hpp"
#include "tmpl/names.hpp"
#include "util/error.hpp"
#include "util/sha256.hpp"
#include "util/strings.hpp"

namespace calzion::router {

namespace {

// The network every container starts on: the router keeps it for its port.
constexpr const char* k_own_network = "bridge";

std::set<std::string> networks_of(const std::vector<Route>& routes) {
    std::set<std::string> networks;
    for (const auto& route : routes) {
        networks.insert(route.network);
    }
    return networks;
}

void remove_router(exec::Runner& runner, const Observation& seen, SyncResult& result) {
    if (seen.container) {
        exec::run_checked(runner, remove_argv(), "removing the router container");
        result.removed = true;
    }
    if (!seen.config_sha256.empty()) {
        exec::run_checked(runner, remove_config_argv(seen.router_dir()), "removing the router's configuration");
        result.removed = true;
    }
}

void connect(exec::Runner& runner, const std::set<std::string>& networks, SyncResult& result,
             const std::string& container = k_container) {
    for (const auto& network : networks) {
        exec::run_checked(runner, connect_argv(network, container),
                    "connecting the router to network " + util::quoted(network));
        if (container == k_container) {
            result.connected.push_back(network);
        }
    }
}

// A router just created or started: nginx accepts its configuration and has
// workers.
void check_router(exec::Runner& runner, const std::string& container = k_container) {
    exec::Result result = runner.run(exec::command(check_router_argv(container, k_config_file)));
    if (result.ok()) {
        return;
    }
    std::string why = util::one_line(result.err);
    throw Error(ErrorKind::operation_failed, result.exit_code == exec::k_status_refused
                                                 ? "nginx refused the router's configuration: " + why
                                                 : "the router did not start serving: " + why);
}

void try_run(exec::Runner& runner, const Argv& argv) {
    try {
        runner.run(exec::command(argv));
    } catch (const Error&) {
        // Best effort: the error being reported matters more.
    }
}

// Run the router of `spec` as `container`, on its networks, and check it serves.
void start_router(exec::Runner& runner, const Argv& run, const ContainerSpec& spec,
                  const std::set<std::string>& networks, SyncResult& result, const std::string& container) {
    exec::run_checked(runner, run, "starting the router (image " + util::quoted(spec.image) + ")");
    connect(runner, networks, result, container);
    check_router(runner, container);
}

// The router runs differently now (image, port): a trial of the new one, on
// the networks but without the port, proves the image and the configuration
// while the old one serves; only then does the port pass from the old one to
// the new one, the old one parked until the new one serves and put back if it
// does not.
void recreate_router(exec::Runner& runner, const ContainerSpec& spec, const std::set<std::string>& networks,
                     SyncResult& result) {
    try_run(runner, remove_argv(k_trial_container));
    try {
        start_router(runner, trial_run_argv(spec), spec, networks, result, k_trial_container);
    } catch (const Error& error) {
        try_run(runner, remove_argv(k_trial_container));
        throw Error(ErrorKind::operation_failed, error.message() + "; the current router keeps serving");
    }
    exec::run_checked(runner, remove_argv(k_trial_container), "removing the trial router");
    try_run(runner, remove_argv(k_parked_container));
    exec::run_checked(runner, rename_argv(k_container, k_parked_container), "parking the current router");
    exec::run_checked(runner, stop_argv(k_parked_container), "stopping the current router");
    try {
        start_router(runner, run_argv(spec), spec, networks, result, k_container);
    } catch (const Error& error) {
        try_run(runner, remove_argv(k_container));
        try_run(runner, rename_argv(k_parked_container, k_container));
        try_run(runner, start_argv(k_container));
        throw Error(ErrorKind::operation_failed, error.message() + "; the previous router serves again");
    }
    result.created = true;
    exec::run_checked(runner, remove_argv(k_parked_container), "removing the previous router");
}

// A new container reads the configuration when it starts: write it first.
void create_router(exec::Runner& runner, const Observation& seen, const ContainerSpec& spec,
                   const std::string& config, const std::set<std::string>& networks, SyncResult& result) {
    if (util::sha256_hex(config) != seen.config_sha256) {
        exec::run_checked(runner, write_config_argv(spec.router_dir), "writing the router's configuration", config);
    }
    if (seen.container) {
        recreate_router(runner, spec, networks, result);
        return;
    }
    start_router(runner, run_argv(spec), spec, networks, result, k_container);
    result.created = true;
}

void replace_config(exec::Runner& runner, const Observation& seen, const std::string& config) {
    exec::Result result =
        runner.run(exec::command(replace_config_argv(seen.router_dir(), k_container, k_config_dir), config));
    if (result.ok()) {
        return;
    }
    std::string why = util::one_line(result.err);
    if (result.exit_code == exec::k_status_refused) {
        throw Error(ErrorKind::operation_failed,
                    "nginx refused the router's new configuration, the current one keeps serving: " + why);
    }
    if (result.exit_code == exec::k_status_not_reloaded || result.exit_code == exec::k_status_not_serving) {
        throw Error(ErrorKind::operation_failed, "the router did not reload its new configuration: " + why);
    }
    throw Error(ErrorKind::operation_failed, "writing the router's configuration failed: " + why);
}

void update_router(exec::Runner& runner, const Observation& seen, const std::string& config,
                   const std::set<std::string>& networks, SyncResult& result) {
    const RouterContainer& container = *seen.container;
    if (container.status != "running") {
        exec::run_checked(runner, start_argv(), "starting the stopped router");
        check_router(runner);
        result.started = true;
    }
    std::set<std::string> missing;
    std::set_difference(networks.begin(), networks.end(), container.networks.begin(), container.networks.end(),
                        std::inserter(missing, missing.end()));
    connect(runner, missing, result);
    if (util::sha256_hex(config) != seen.config_sha256) {
        replace_config(runner, seen, config);
        result.reloaded = true;
    }
    for (const auto& network : container.networks) {
        if (network != k_own_network && !networks.count(network)) {
            exec::run_checked(runner, disconnect_argv(network),
                        "disconnecting the router from network " + util::quoted(network));
            result.disconnected.push_back(network);
        }
    }
}

}  // namespace

void check_options(const SyncOptions& options) {
    if (auto problem = tmpl::image_reference_problem(options.image)) {
        throw Error(ErrorKind::usage, "invalid router image " + util::quoted(options.image) + ": " + *problem);
    }
    if (options.http_port < 1 || options.http_port > 65535) {
        throw Error(ErrorKind::usage, "the router's HTTP port must be from 1 to 65535, not " +
                                          std::to_string(options.http_port));
    }
}

SyncResult sync(exec::Runner& runner, const std::string& state_dir, const SyncOptions& options) {
    check_options(options);
    auto [lock, seen] = lock_and_observe(runner, state_dir, options.lock_wait_seconds);
    SyncResult result;
    if (seen.routes.empty()) {
        remove_router(runner, seen, result);
        lock->release();
        return result;
    }
    // Rendering checks every route: nothing on the host changes when one is wrong.
    std::string config = render_config(seen.routes);
    for (const auto& route : seen.routes) {
        result.domains.push_back(route.domain);
    }
    std::sort(result.domains.begin(), result.domains.end());
    std::set<std::string> networks = networks_of(seen.routes);
    ContainerSpec spec{options.image, options.http_port, seen.router_dir()};
    if (!seen.container || seen.container->spec_hash != spec_hash(spec)) {
        create_router(runner, seen, spec, config, networks, result);
    } else {
        update_router(runner, seen, config, networks, result);
    }
    lock->release();
    return result;
}

std::string summary(const router::SyncResult& result) {
    if (result.domains.empty()) {
        return result.removed ? "removed: no instance routes a domain" : "none: no instance routes a domain";
    }
    size_t count = result.domains.size();
    std::string text = "serves " + std::to_string(count) + (count == 1 ? " domain (" : " domains (") +
                       util::comma_list(result.domains) + "): ";
    std::vector<std::string> changes;
    if (result.created) {
        changes.push_back("created");
    }
    if (result.started) {
        changes.push_back("started");
    }
    if (result.reloaded) {
        changes.push_back("reloaded");
    }
    if (!result.connected.empty()) {
        changes.push_back("joined " + util::comma_list(result.connected));
    }
    if (!result.disconnected.empty()) {
        changes.push_back("left " + util::comma_list(result.disconnected));
    }
    if (!result.nodes_added.empty()) {
        changes.push_back("now on " + util::comma_list(result.nodes_added));
    }
    if (!result.nodes_removed.empty()) {
        changes.push_back("off " + util::comma_list(result.nodes_removed));
    }
    return text + (changes.empty() ? "unchanged" : util::comma_list(changes));
}

}  // namespace calzion::router
