#pragma once

#include "ssh/target.hpp"

struct ssh_session_struct;

namespace calzion::ssh {

// Check the host key of a connected `session` against target.known_hosts (and the
// system-wide file), strictly: a known key goes on; a changed key, or a key of
// another type than the one recorded, throws Error(permission) always; an unknown
// key throws Error(permission) unless `accept_new`, in which case it is appended to
// target.known_hosts (created mode 0600, its directory 0700, if missing). Messages
// name the host, the SHA256 fingerprint and the known_hosts file.
void verify_host_key(ssh_session_struct* session, const Target& target, bool accept_new);

}  // namespace calzion::ssh
