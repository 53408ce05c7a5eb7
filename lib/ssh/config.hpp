#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace calzion::ssh {

// What calzion reads from an SSH config file itself. libssh applies HostName, User,
// Port, ProxyJump and the rest to a session, but offers no way to list the
// IdentityFiles it found (authentication tries each key explicitly), takes one
// known_hosts file where OpenSSH takes several, and lets StrictHostKeyChecking
// accept a changed host key; calzion checks host keys itself.
struct ConfigValues {
    std::vector<std::string> identity_files;  // in config order, not yet expanded
    std::string proxy_jump;                   // the first ProxyJump, as written; empty if none
    std::vector<std::string> user_known_hosts;    // the first UserKnownHostsFile's files, not yet expanded
    std::vector<std::string> global_known_hosts;  // the first GlobalKnownHostsFile's files, likewise
    std::string strict_host_key_checking;         // the first value, lowercased; empty if none

    bool operator==(const ConfigValues&) const = default;
};

// Return the text of every file an Include pattern names.
using IncludeLoader = std::function<std::vector<std::string>(const std::string& pattern)>;

// Collect the values `text` gives host `alias` (the name as the user wrote it,
// before HostName): lines outside any block, in "Host" blocks whose patterns match
// (with "*", "?" and "!" negation, case-insensitively) and in "Match all", "Match
// host" and "Match originalhost" blocks; other Match criteria never match here.
// "Include" is followed through `include`, at most 16 levels deep. Pure apart from
// `include`.
ConfigValues parse_config(std::string_view text, std::string_view alias, const IncludeLoader& include);

// Read the config file at `path` (a missing file gives no values) for `alias`.
// Relative Include patterns are taken from `include_dir`, "~/" from `home`.
ConfigValues read_config_file(const std::string& path, std::string_view alias, const std::string& include_dir,
                              const std::string& home);

// One host of a ProxyJump list: "[user@]host[:port]" or "ssh://[user@]host[:port]",
// an IPv6 address in brackets. Empty user and port: not given.
struct JumpHost {
    std::string user;
    std::string host;
    std::string port;

    bool operator==(const JumpHost&) const = default;
};

// Split one host of a ProxyJump list. Pure; never fails.
JumpHost parse_jump_host(std::string_view text);

// The ProxyCommand OpenSSH runs for "ProxyJump host1,...,hostN": ssh to hostN,
// through the hosts before it (-J, which that ssh reads in the same order), with
// the config file calzion was given (-F, none: that ssh reads its own), on to the
// target (%h and %p, which libssh fills in). Every word is quoted for /bin/sh.
// Throws Error(usage) if a word contains "%", which libssh cannot pass on.
std::string jump_command(std::string_view proxy_jump, const std::string& config_file);

// Values for the tokens of an IdentityFile path.
struct PathTokens {
    std::string home;         // ~ and %d
    std::string local_user;   // %u
    std::string local_host;   // %l
    std::string remote_host;  // %h, after HostName
    std::string remote_user;  // %r
    std::string port;         // %p
    std::string uid;          // %i
};

// Expand a leading "~/" and the tokens %d %u %l %h %r %p %i %% of `path`; an
// unknown token is left as it is.
std::string expand_path(std::string_view path, const PathTokens& tokens);

}  // namespace calzion::ssh
