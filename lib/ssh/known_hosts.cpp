#include "ssh/known_hosts.hpp"

#include "ssh/messages.hpp"

#include "util/error.hpp"
#include "util/strings.hpp"

#include <libssh/libssh.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace calzion::ssh {

namespace {

// The server's host key as messages show it: "ssh-ed25519 key SHA256:...".
std::string describe_server_key(ssh_session session, const Target& target) {
    ssh_key key = nullptr;
    if (ssh_get_server_publickey(session, &key) != SSH_OK) {
        throw Error(ErrorKind::unreachable,
                    "cannot connect to " + target.describe() + ": the server sent no host key");
    }
    unsigned char* hash = nullptr;
    size_t hash_size = 0;
    std::string text = std::string(ssh_key_type_to_char(ssh_key_type(key))) + " key ";
    if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &hash_size) == 0) {
        char* fingerprint = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, hash_size);
        text += fingerprint != nullptr ? fingerprint : "(no fingerprint)";
        ssh_string_free_char(fingerprint);
        ssh_clean_pubkey_hash(&hash);
    }
    ssh_key_free(key);
    return text;
}

// The name known_hosts files use for the target: "host" or "[host]:port".
std::string known_hosts_name(const Target& target) {
    return target.port == 22 ? target.hostname : "[" + target.hostname + "]:" + std::to_string(target.port);
}

// Create `directory` and any missing parents with mode 0700.
void make_directories(const std::string& directory) {
    for (size_t slash = directory.find('/', 1); ; slash = directory.find('/', slash + 1)) {
        std::string prefix = directory.substr(0, slash);
        if (!prefix.empty() && ::mkdir(prefix.c_str(), 0700) != 0 && errno != EEXIST) {
            throw Error(ErrorKind::permission,
                        "cannot create directory " + util::quoted(prefix) + ": " + system_reason(errno));
        }
        if (slash == std::string::npos) {
            return;
        }
    }
}

void append_known_host(ssh_session session, const Target& target) {
    char* entry = nullptr;
    if (ssh_session_export_known_hosts_entry(session, &entry) != SSH_OK) {
        throw Error(ErrorKind::permission, "cannot record the host key of " + target.describe() + ": " +
                                               ssh_get_error(session));
    }
    std::string line = entry;
    ssh_string_free_char(entry);
    if (line.empty() || line.back() != '\n') {
        line += '\n';
    }
    size_t slash = target.known_hosts.rfind('/');
    if (slash != std::string::npos && slash > 0) {
        make_directories(target.known_hosts.substr(0, slash));
    }
    int fd = ::open(target.known_hosts.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    bool written = fd >= 0 && ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
    int error = errno;
    if (fd >= 0) {
        ::close(fd);
    }
    if (!written) {
        throw Error(ErrorKind::permission, "cannot add the host key of " + target.describe() + " to " +
                                               util::quoted(target.known_hosts) + ": " + system_reason(error));
    }
}

}  // namespace

void verify_host_key(ssh_session session, const Target& target, bool accept_new) {
    std::string key = describe_server_key(session, target);
    std::string file = util::quoted(target.known_hosts);
    switch (ssh_session_is_known_server(session)) {
    case SSH_KNOWN_HOSTS_OK:
        return;
    case SSH_KNOWN_HOSTS_CHANGED:
        throw Error(ErrorKind::permission,
                    "host key of " + target.describe() + " has changed: the host offers " + key +
                        ", which does not match " + file + "; if the change is expected, remove the old key with "
                        "ssh-keygen -f " + file + " -R " + util::quoted(known_hosts_name(target)));
    case SSH_KNOWN_HOSTS_OTHER:
        throw Error(ErrorKind::permission, "host key of " + target.describe() + " does not match: the host offers " +
                                               key + ", but " + file + " records a key of another type for it");
    case SSH_KNOWN_HOSTS_UNKNOWN:
    case SSH_KNOWN_HOSTS_NOT_FOUND:
        if (!accept_new) {
            throw Error(ErrorKind::permission, "host key of " + target.describe() + " is not known: " + key +
                                                   " is not in " + file +
                                                   "; check it, then accept it with --accept-new-host-key");
        }
        append_known_host(session, target);
        return;
    case SSH_KNOWN_HOSTS_ERROR:
        break;
    }
    throw Error(ErrorKind::permission, "cannot check the host key of " + target.describe() + " against " + file +
                                           ": " + ssh_get_error(session));
}

}  // namespace calzion::ssh
