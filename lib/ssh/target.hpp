#pragma once

#include <string>
#include <vector>

namespace calzion::ssh {

// Where a session goes: a host spec resolved through the SSH config.
struct Target {
    std::string label;        // the host as the user wrote it, for messages
    std::string hostname;     // after HostName
    int port = 22;
    std::string user;
    std::string known_hosts;  // the file host keys are checked against and added to
    std::vector<std::string> identity_files;  // the config's IdentityFiles, then the default keys

    // "host:port" for messages, with brackets around an IPv6 address.
    std::string address() const {
        bool ipv6 = hostname.find(':') != std::string::npos;
        return (ipv6 ? "[" + hostname + "]" : hostname) + ":" + std::to_string(port);
    }
    // The start of every message about this host: `"web1" (127.0.0.1:22)`.
    std::string describe() const { return "\"" + label + "\" (" + address() + ")"; }
};

}  // namespace calzion::ssh
