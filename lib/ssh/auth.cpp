#include "ssh/auth.hpp"

#include "util/error.hpp"
#include "util/strings.hpp"

#include <libssh/libssh.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <poll.h>
#include <sys/stat.h>

namespace calzion::ssh {

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* k_passphrase_variable = "CALZION_SSH_PASSPHRASE";

// Call a non-blocking libssh auth function until it is done, waiting for the
// socket in between; a hang-up ends it at once.
template <class Call>
int drive(ssh_session session, const Target& target, Clock::time_point deadline, Call call) {
    for (;;) {
        int rc = call();
        if (rc != SSH_AUTH_AGAIN) {
            return rc;
        }
        if (ssh_is_connected(session) == 0) {
            return SSH_AUTH_ERROR;
        }
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0) {
            throw Error(ErrorKind::unreachable,
                        "cannot connect to " + target.describe() + ": timed out during authentication");
        }
        pollfd socket{ssh_get_fd(session), POLLIN, 0};
        ::poll(&socket, 1, static_cast<int>(std::min<long long>(left.count(), 100)));
    }
}

bool file_exists(const std::string& path) {
    struct stat info {};
    return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode);
}

// Load the private key at `path`; nullptr (with a note) when it cannot be opened.
ssh_key load_private_key(const std::string& path, AuthOutcome& outcome) {
    ssh_key key = nullptr;
    const char* passphrase = std::getenv(k_passphrase_variable);
    if (ssh_pki_import_privkey_file(path.c_str(), passphrase, passphrase_callback, nullptr, &key) == SSH_OK) {
        return key;
    }
    outcome.notes.push_back(util::quoted(path) + (passphrase != nullptr
                                                      ? " cannot be read (wrong passphrase?)"
                                                      : " cannot be read (encrypted? set CALZION_SSH_PASSPHRASE)"));
    return nullptr;
}

// The public half of the key at `path`: from "path.pub", else from the key itself.
ssh_key load_public_key(const std::string& path, ssh_key& private_key, AuthOutcome& outcome) {
    ssh_key key = nullptr;
    if (ssh_pki_import_pubkey_file((path + ".pub").c_str(), &key) == SSH_OK) {
        return key;
    }
    private_key = load_private_key(path, outcome);
    if (private_key == nullptr || ssh_pki_export_privkey_to_pubkey(private_key, &key) != SSH_OK) {
        return nullptr;
    }
    return key;
}

// Offer one key file: first ask whether the server would take the public key, and
// only then open the private key (which may need the passphrase) and sign.
int try_key_file(ssh_session session, const Target& target, const std::string& path, Clock::time_point deadline,
                 AuthOutcome& outcome) {
    ssh_key private_key = nullptr;
    ssh_key public_key = load_public_key(path, private_key, outcome);
    if (public_key == nullptr) {
        ssh_key_free(private_key);
        return SSH_AUTH_DENIED;
    }
    outcome.tried.push_back(util::quoted(path));
    int rc = drive(session, target, deadline,
                   [&] { return ssh_userauth_try_publickey(session, nullptr, public_key); });
    if (rc == SSH_AUTH_SUCCESS && private_key == nullptr) {
        private_key = load_private_key(path, outcome);
        rc = private_key == nullptr ? SSH_AUTH_DENIED : rc;
    }
    if (rc == SSH_AUTH_SUCCESS) {
        rc = drive(session, target, deadline, [&] { return ssh_userauth_publickey(session, nullptr, private_key); });
    }
    ssh_key_free(public_key);
    ssh_key_free(private_key);
    return rc;
}

}  // namespace

int passphrase_callback(const char*, char* buffer, size_t size, int, int, void*) {
    const char* passphrase = std::getenv(k_passphrase_variable);
    if (passphrase == nullptr || std::strlen(passphrase) >= size) {
        return -1;
    }
    std::strcpy(buffer, passphrase);
    return 0;
}

AuthOutcome authenticate(ssh_session session, const Target& target, bool use_agent, Clock::time_point deadline) {
    AuthOutcome outcome;
    ssh_set_blocking(session, 0);
    auto finished = [&](int rc) {
        outcome.authenticated = rc == SSH_AUTH_SUCCESS;
        outcome.disconnected = ssh_is_connected(session) == 0;
        return outcome.authenticated || outcome.disconnected;
    };
    if (use_agent) {
        outcome.tried.push_back("ssh-agent");
        if (finished(drive(session, target, deadline, [&] { return ssh_userauth_agent(session, nullptr); }))) {
            return outcome;
        }
    }
    for (const std::string& path : target.identity_files) {
        if (file_exists(path) && finished(try_key_file(session, target, path, deadline, outcome))) {
            return outcome;
        }
    }
    return outcome;
}

}  // namespace calzion::ssh
