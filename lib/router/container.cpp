#include "router/container.hpp"

#include <algorithm>

#include "router/config.hpp"
#include "util/sha256.hpp"

namespace calzion::router {

namespace {

// The run argv without the hash label, which is computed from it.
Argv run_argv_without_hash(const ContainerSpec& spec) {
    return {"docker",
            "run",
            "-d",
            "--name",
            k_container,
            "--label",
            "io.calzion.router=1",
            "--restart",
            "unless-stopped",
            "--network",
            "bridge",
            "--pull",
            "missing",
            "--publish",
            std::to_string(spec.http_port) + ":" + std::to_string(k_listen_port),
            "--volume",
            spec.router_dir + ":" + k_config_dir + ":ro",
            spec.image,
            "nginx",
            "-c",
            k_config_file};
}

}  // namespace

std::string spec_hash(const ContainerSpec& spec) {
    std::string text;
    for (const auto& word : run_argv_without_hash(spec)) {
        text += word;
        text += '\0';
    }
    return util::sha256_hex(text);
}

Argv run_argv(const ContainerSpec& spec) {
    Argv argv = run_argv_without_hash(spec);
    // Right after the other label, so that the options stay together.
    argv.insert(argv.begin() + 7, {"--label", "io.calzion.spec-hash=" + spec_hash(spec)});
    return argv;
}

Argv trial_run_argv(const ContainerSpec& spec) {
    Argv argv = run_argv(spec);
    auto name = std::find(argv.begin(), argv.end(), std::string(k_container));
    *name = k_trial_container;
    auto publish = std::find(argv.begin(), argv.end(), std::string("--publish"));
    argv.erase(publish, publish + 2);
    return argv;
}

Argv remove_argv(const std::string& container) { return {"docker", "rm", "--force", container}; }

Argv start_argv(const std::string& container) { return {"docker", "start", container}; }

Argv stop_argv(const std::string& container) { return {"docker", "stop", container}; }

Argv rename_argv(const std::string& from, const std::string& to) { return {"docker", "rename", from, to}; }

Argv connect_argv(const std::string& network, const std::string& container) {
    return {"docker", "network", "connect", network, container};
}

Argv disconnect_argv(const std::string& network) {
    return {"docker", "network", "disconnect", network, k_container};
}

}  // namespace calzion::router
