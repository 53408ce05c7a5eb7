#pragma once

#include <map>
#include <memory>
#include <string>

#include "exec/runner.hpp"
#include "ssh/connect.hpp"

namespace calzion::ops {

// How a command reaches the hosts it works on: the seam between the
// orchestrators and the transport, so that tests can hand out fake hosts.
class Connector {
public:
    virtual ~Connector() = default;

    // Connect to `host`, a host name as the command was given it, and return a
    // runner for it. Throws calzion::Error (unreachable, permission, ...) when
    // the host cannot be reached; whatever else it throws is kept as an error
    // of that host too.
    virtual std::unique_ptr<exec::Runner> connect(const std::string& host) = 0;
};

// The real hosts: a host whose address is "local" is this machine (a local
// runner), any other is reached over SSH with `ssh` (its label the host's name).
class HostConnector final : public Connector {
public:
    // `addresses`: the address of each host that has a name of its own; any
    // other host is its own address.
    HostConnector(ssh::Options ssh, std::map<std::string, std::string> addresses)
        : m_ssh(std::move(ssh)), m_addresses(std::move(addresses)) {}

    std::unique_ptr<exec::Runner> connect(const std::string& host) override;

private:
    ssh::Options m_ssh;
    std::map<std::string, std::string> m_addresses;
};

}  // namespace calzion::ops
