#pragma once

#include "ssh/connect.hpp"
#include "ssh/target.hpp"

#include <string>
#include <utility>

struct ssh_session_struct;

namespace calzion::ssh {

// Owns one libssh session: disconnects and frees it when destroyed.
class Session {
public:
    Session() = default;
    explicit Session(ssh_session_struct* session) : m_session(session) {}
    ~Session();
    Session(Session&& other) noexcept : m_session(std::exchange(other.m_session, nullptr)) {}
    Session& operator=(Session&& other) noexcept;
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    ssh_session_struct* get() const { return m_session; }

private:
    ssh_session_struct* m_session = nullptr;
};

// Open an authenticated session to `host_spec` (see ssh::connect for the rules)
// and describe where it went in `target`. The session is left non-blocking.
// Throws Error: usage (bad host spec, unreadable config file), unreachable
// (connection or authentication failed), permission (host key refused).
Session open_session(const std::string& host_spec, const Options& options, Target& target);

}  // namespace calzion::ssh
