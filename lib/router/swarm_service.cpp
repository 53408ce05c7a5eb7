// The swarm's router as docker commands: the Swarm service, its configs and
// the labels of the edge nodes.

#include "router/swarm_service.hpp"

#include "router/config.hpp"
#include "util/sha256.hpp"

namespace calzion::router {

namespace {

// The label of everything calzion makes for the swarm's router.
constexpr const char* k_router_label = "io.calzion.router=1";

void append(Argv& argv, const std::string& option, const std::vector<std::string>& values) {
    for (const auto& value : values) {
        argv.push_back(option);
        argv.push_back(value);
    }
}

}  // namespace

std::string swarm_config_name(const std::string& config_text) {
    return k_swarm_config_prefix + util::sha256_hex(config_text).substr(0, 8);
}

std::string swarm_spec_hash(const SwarmRouterSpec& spec) {
    std::string text = spec.image + '\0' + std::to_string(spec.http_port) + '\0' + spec.config + '\0';
    for (const auto& network : spec.networks) {
        text += network;
        text += '\0';
    }
    return util::sha256_hex(text);
}

std::string swarm_publish(int http_port) {
    return "published=" + std::to_string(http_port) + ",target=" + std::to_string(k_listen_port) + ",mode=host";
}

std::string swarm_config_mount(const std::string& name) {
    return "source=" + name + ",target=" + k_config_file + ",mode=0444";
}

std::vector<std::string> swarm_router_command() { return {"nginx", "-c", k_config_file}; }

Argv config_create_argv(const std::string& name) {
    return {"docker", "config", "create", "--label", k_router_label, name, "-"};
}

Argv config_remove_argv(const std::vector<std::string>& names) {
    Argv argv{"docker", "config", "rm"};
    argv.insert(argv.end(), names.begin(), names.end());
    return argv;
}

Argv service_create_argv(const SwarmRouterSpec& spec) {
    Argv argv{"docker",
              "service",
              "create",
              "--detach",
              "--name",
              k_swarm_service,
              "--label",
              k_router_label,
              "--container-label",
              "io.calzion.spec-hash=" + swarm_spec_hash(spec),
              "--mode",
              "global",
              "--constraint",
              k_edge_constraint,
              "--publish",
              swarm_publish(spec.http_port),
              "--config",
              swarm_config_mount(spec.config)};
    append(argv, "--network", {spec.networks.begin(), spec.networks.end()});
    Argv rest{"--update-parallelism",
              "1",
              "--update-order",
              "stop-first",
              "--update-failure-action",
              "rollback",
              "--rollback-order",
              "stop-first",
              "--stop-signal",
              "SIGQUIT",
              "--no-resolve-image",
              spec.image};
    argv.insert(argv.end(), rest.begin(), rest.end());
    for (const auto& word : swarm_router_command()) {
        argv.push_back(word);
    }
    return argv;
}

Argv service_remove_argv() { return {"docker", "service", "rm", k_swarm_service}; }

bool ServiceChanges::empty() const {
    return image.empty() && publish_rm.empty() && publish == 0 && constraint_rm.empty() && !constrain && !command &&
           config_rm.empty() && config_add.empty() && network_add.empty() && network_rm.empty();
}

Argv service_update_argv(const ServiceChanges& changes, const std::string& spec_hash) {
    Argv argv{"docker", "service", "update", "--detach", "--no-resolve-image"};
    if (!changes.image.empty()) {
        argv.insert(argv.end(), {"--image", changes.image});
    }
    // The CLI removes ports before it adds them.
    append(argv, "--publish-rm", changes.publish_rm);
    if (changes.publish != 0) {
        argv.insert(argv.end(), {"--publish-add", swarm_publish(changes.publish)});
    }
    append(argv, "--constraint-rm", changes.constraint_rm);
    if (changes.constrain) {
        argv.insert(argv.end(), {"--constraint-add", k_edge_constraint});
    }
    if (changes.command) {
        std::string args;
        for (const auto& word : swarm_router_command()) {
            args += (args.empty() ? "" : " ") + word;
        }
        argv.insert(argv.end(), {"--args", args});
    }
    append(argv, "--config-rm", changes.config_rm);
    if (!changes.config_add.empty()) {
        argv.insert(argv.end(), {"--config-add", swarm_config_mount(changes.config_add)});
    }
    append(argv, "--network-rm", changes.network_rm);
    append(argv, "--network-add", changes.network_add);
    argv.insert(argv.end(), {"--container-label-add", "io.calzion.spec-hash=" + spec_hash, k_swarm_service});
    return argv;
}

Argv node_label_add_argv(const std::string& node) {
    return {"docker", "node", "update", "--label-add", std::string(k_edge_label) + "=true", node};
}

Argv node_label_remove_argv(const std::string& node) {
    return {"docker", "node", "update", "--label-rm", k_edge_label, node};
}

}  // namespace calzion::router
