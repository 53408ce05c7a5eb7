#pragma once

#include <optional>
#include <string>
#include <vector>

#include "render/deployment.hpp"

namespace calzion::docker {

using Argv = std::vector<std::string>;

// How to get the image when the container is created (docker run --pull).
using PullPolicy = render::PullPolicy;

// The policy a service's container is created with: `chosen` when the command
// line chose one for every service (deploy --pull, rollback), else the
// service's own `pull`, else missing; never for one built from source.
PullPolicy pull_policy_for(const render::RenderedService& service, std::optional<PullPolicy> chosen);

// Where a service's host-side files live, as the host's state store says.
struct ServicePaths {
    std::string instance_dir;  // absolute: <state_dir>/instances/<instance>
    bool secrets_file = false;  // whether <instance_dir>/secrets/<service>.env exists
    std::string state_dir;      // absolute: the state directory that owns the container
};

// The path of a service's secret env file, inside the instance directory.
std::string secrets_file(const std::string& instance_dir, const std::string& service);

// Whether a container takes its service's DNS alias as it starts, or later
// (docker::hand_over_argv), once it is ready.
enum class Alias { now, when_ready };

// `docker run -d ...` for a service: name, network and alias (unless
// Alias::when_ready), labels (with io.calzion.state naming the owning state
// directory), env, mounts, ports, health check, limits, extra options, then
// image and command.
Argv run(const render::RenderedService& service, const std::string& network, const ServicePaths& paths,
         PullPolicy pull, Alias alias = Alias::now);

// `docker network create` for an instance's network, labelled with the instance.
Argv network_create(const std::string& network, const std::string& instance);

Argv remove_container(const std::string& container);          // docker rm -f
// Remove `container` only if it belongs to `instance` (by label): the name of a
// failed new container may be another instance's ("a" + "b-c" and "a-b" + "c").
Argv remove_own_container(const std::string& container, const std::string& instance);
Argv stop_container(const std::string& container);            // docker stop
Argv start_container(const std::string& container);           // docker start
Argv rename_container(const std::string& from, const std::string& to);
Argv remove_network(const std::string& network);
Argv remove_volume(const std::string& volume);
// `docker image inspect` of one reference: exits 0 when the host has the image.
Argv inspect_image(const std::string& image);

}  // namespace calzion::docker
