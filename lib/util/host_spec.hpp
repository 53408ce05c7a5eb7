#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace calzion::util {

// A host as the user names it: "[user@]host[:port]", with IPv6 addresses either
// bare ("::1", no port then) or in brackets ("[::1]:2222"). `host` may also be an
// alias from the SSH config.
struct HostSpec {
    std::string user;  // empty: not given (the SSH config or the local user decides)
    std::string host;
    std::optional<int> port;

    bool operator==(const HostSpec&) const = default;
};

// Parse and validate `spec`. Host and user names may contain only letters, digits,
// ".", "-" and "_" (IPv6 addresses also ":" and "%") and must not start with "-",
// so that no name can be mistaken for an option or reach a shell unquoted.
// Throws Error(usage) naming the problem.
HostSpec parse_host_spec(std::string_view spec);

}  // namespace calzion::util
