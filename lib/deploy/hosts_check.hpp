#pragma once

#include <optional>
#include <string>
#include <vector>

#include "deploy/targets.hpp"
#include "docker/host_probe.hpp"

namespace calzion::deploy {

// `calzion hosts check` for one host: can calzion work there?
struct HostCheck {
    std::string host;
    bool local = false;    // this machine, no SSH
    bool reached = false;  // connected: over SSH, authenticated and its host key verified
    docker::HostProbe probe;     // what the host said, when reached
    std::vector<Error> problems;  // everything found wrong, connecting included
    std::optional<Error> error;   // the most serious of them: it decides the exit code
};

// Judge what a probe found: docker that does not answer and a state directory
// that cannot be written are operation failures; a state format newer than this
// calzion's is invalid data. Empty when the host is fit.
std::vector<Error> problems_in(const docker::HostProbe& probe);

// Check every target host at once: connect (SSH reachability, authentication,
// host key), then one round trip (docker::probe_argv). Never throws for a host:
// what fails is kept in its HostCheck.
std::vector<HostCheck> check_all(const Targets& targets);

}  // namespace calzion::deploy
