#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace calzion::ssh {

// What calzion reads from an SSH config file itself. libssh applies HostName, User,
// Port, ProxyJump, UserKnownHostsFile and the rest to a session, but offers no way
// to list the IdentityFiles it found, and authentication tries each key explicitly.
struct ConfigValues {
    std::vector<std::string> identity_files;  // in config order, not yet expanded

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
