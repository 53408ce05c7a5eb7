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
    std::string known_hosts;  // the file new host keys are added to: the first user file; empty if none
    std::vector<std::string> known_hosts_files;  // the files host keys are checked against: user's, then global
    bool config_accepts_new_keys = false;        // StrictHostKeyChecking accept-new, no or off
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
