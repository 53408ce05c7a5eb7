#pragma once

#include "ssh/target.hpp"

struct ssh_session_struct;

namespace calzion::ssh {

// Check the host key of a connected `session` against target.known_hosts_files, as
// check_known_hosts reads them: a known key goes on; a revoked key, a changed key
// or a key of another type than the ones recorded throws Error(permission) always,
// whatever `accept_new` says; an unknown key throws Error(permission) unless
// `accept_new`, in which case it is appended to target.known_hosts (created mode
// 0600, its directory 0700, if missing). Messages name the host, the SHA256
// fingerprint, the file (and line) that decided, and lines that could not be read.
void verify_host_key(ssh_session_struct* session, const Target& target, bool accept_new);

}  // namespace calzion::ssh
