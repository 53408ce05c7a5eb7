#pragma once

#include "exec/runner.hpp"

#include <chrono>
#include <memory>
#include <string>

namespace calzion::ssh {

struct Options {
    std::string config_file;  // empty: ~/.ssh/config if it exists (like ssh -F)
    bool accept_new_host_key = false;
    std::chrono::seconds connect_timeout{15};
    std::string label;  // the host's name in messages; empty: host_spec as given
};

// Connect to host_spec ("[user@]host[:port]", "[v6addr]:port" or an alias from the
// SSH config), verify its host key, authenticate. Returns a Runner for that host:
// one connection, shared by every command; run() may be called from many threads
// and runs at most 8 commands at once (more wait for a free channel).
//
// The SSH config (HostName, User, Port, IdentityFile, UserKnownHostsFile,
// ProxyJump...) applies as with OpenSSH; user and port in host_spec win over it.
// ProxyJump runs the system ssh, given the same config file (-F) if there is one;
// without one, that ssh reads its own (of the password database's home, not $HOME).
// "~" means $HOME (else the password database). Host keys: see verify_host_key.
// Authentication: ssh-agent (if SSH_AUTH_SOCK is set), then the config's
// IdentityFiles, then ~/.ssh/id_ed25519, id_ecdsa, id_rsa; never prompts
// (CALZION_SSH_PASSPHRASE opens encrypted keys).
//
// Throws Error: usage (bad host spec, unreadable config file), unreachable
// (refused, DNS, timeout, authentication failed), permission (host key refused).
std::unique_ptr<exec::Runner> connect(const std::string& host_spec, const Options& options);

// Number of SSH channels for commands opened by all runners of this process so far
// (for benchmarks and --verbose).
long channels_opened();

}  // namespace calzion::ssh
