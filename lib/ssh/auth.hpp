#pragma once

#include "ssh/target.hpp"

#include <chrono>
#include <string>
#include <vector>

struct ssh_session_struct;

namespace calzion::ssh {

// How an authentication attempt went.
struct AuthOutcome {
    bool authenticated = false;
    bool disconnected = false;        // the server hung up (e.g. after MaxAuthTries)
    std::vector<std::string> tried;   // "ssh-agent" and the key files offered, for messages
    std::vector<std::string> notes;   // why a key could not be used, for messages
};

// Authenticate a connected session as target.user, with public keys only: first
// the agent's keys (when `use_agent`), then each of target.identity_files that
// exists, one at a time. Nothing ever prompts: an encrypted key is opened with the
// passphrase in CALZION_SSH_PASSPHRASE, or skipped. Runs the session non-blocking
// so that a server hanging up is noticed at once. Throws Error(unreachable) when
// `deadline` passes.
AuthOutcome authenticate(ssh_session_struct* session, const Target& target, bool use_agent,
                         std::chrono::steady_clock::time_point deadline);

// The libssh auth callback calzion installs: it answers with CALZION_SSH_PASSPHRASE
// if set, else fails. Never touches the terminal.
int passphrase_callback(const char* prompt, char* buffer, size_t size, int echo, int verify, void* userdata);

}  // namespace calzion::ssh
