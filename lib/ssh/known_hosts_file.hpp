#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace calzion::ssh {

// A public key as known_hosts writes it: its type ("ssh-ed25519") and its blob in
// base64.
struct PublicKey {
    std::string type;
    std::string base64;
};

// The text of one known_hosts file, with its path for messages.
struct KnownHostsText {
    std::string path;
    std::string text;
};

enum class HostKeyStatus {
    known,       // a line for the host records this very key
    revoked,     // an "@revoked" line for the host lists this key
    changed,     // lines for the host record other keys of this type, none this key
    other_type,  // lines for the host record keys of other types only
    unknown,     // no line is about the host
};

// What the known_hosts files say about a host's key.
struct HostKeyVerdict {
    HostKeyStatus status = HostKeyStatus::unknown;
    std::string file;                  // the file of the deciding line (empty when unknown)
    int line = 0;                      // its line number, from 1
    std::vector<std::string> skipped;  // "FILE:LINE: reason" of each line that could not be read
};

// The name a host is recorded under: "host" on port 22, else "[host]:port".
std::string known_hosts_name(std::string_view hostname, int port);

// Whether a known_hosts host field matches `name` (see known_hosts_name): a hashed
// "|1|salt|hash" entry, or a comma-separated list of patterns with "*" and "?",
// compared without regard to case, that some pattern matches and no negated one
// ("!pattern") does. Pure; a malformed field matches nothing.
bool host_field_matches(std::string_view field, std::string_view name);

// Check `key`, offered by the host recorded as `name`, against `files` read as
// sshd(8) describes: "@revoked" wins over everything, even a line that records the
// key; then a line with the key makes it known; then lines with other keys of its
// type make it changed; then keys of other types only. "@cert-authority" lines are
// not host keys and are ignored. A line that cannot be read is skipped and noted,
// and the lines after it are still read. Pure.
HostKeyVerdict check_known_hosts(const std::vector<KnownHostsText>& files, std::string_view name,
                                 const PublicKey& key);

}  // namespace calzion::ssh
