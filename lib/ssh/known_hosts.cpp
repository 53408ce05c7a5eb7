#include "ssh/known_hosts.hpp"

#include "ssh/known_hosts_file.hpp"
#include "ssh/messages.hpp"

#include "util/error.hpp"
#include "util/strings.hpp"

#include <libssh/libssh.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
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

// The server's host key as known_hosts records it.
PublicKey server_public_key(ssh_session session, const Target& target) {
    ssh_key key = nullptr;
    char* base64 = nullptr;
    if (ssh_get_server_publickey(session, &key) != SSH_OK || ssh_pki_export_pubkey_base64(key, &base64) != SSH_OK) {
        ssh_key_free(key);
        throw Error(ErrorKind::unreachable,
                    "cannot connect to " + target.describe() + ": the server sent no usable host key");
    }
    const char* type = ssh_key_type_to_char(ssh_key_type(key));
    PublicKey result{type != nullptr ? type : "", base64};
    ssh_string_free_char(base64);
    ssh_key_free(key);
    return result;
}

// The text of a known_hosts file; a file that is missing or cannot be read has
// no keys, as with ssh.
std::string read_known_hosts(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    std::ostringstream text;
    if (file) {
        text << file.rdbuf();
    }
    return text.str();
}

// The files that record some key, quoted; else the file new keys go to.
std::string files_searched(const Target& target, const std::vector<KnownHostsText>& files) {
    std::vector<std::string> names;
    for (const KnownHostsText& file : files) {
        if (file.text.find_first_not_of(" \t\r\n") != std::string::npos) {
            names.push_back(util::quoted(file.path));
        }
    }
    if (names.empty()) {
        return target.known_hosts.empty() ? std::string("any known_hosts file") : util::quoted(target.known_hosts);
    }
    return util::comma_list(names);
}

// "; skipped lines it cannot read: FILE:LINE: reason, ..." or nothing.
std::string skipped_note(const HostKeyVerdict& verdict) {
    return verdict.skipped.empty() ? std::string()
                                   : "; skipped lines it cannot read: " + util::comma_list(verdict.skipped);
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
    if (target.known_hosts.empty()) {
        throw Error(ErrorKind::permission, "cannot record the host key of " + target.describe() +
                                               ": the ssh config sets UserKnownHostsFile none");
    }
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
    std::vector<KnownHostsText> files;
    for (const std::string& path : target.known_hosts_files) {
        files.push_back({path, read_known_hosts(path)});
    }
    std::string name = known_hosts_name(target.hostname, target.port);
    HostKeyVerdict verdict = check_known_hosts(files, name, server_public_key(session, target));
    std::string file = util::quoted(verdict.file);
    std::string line = util::quoted(verdict.file + ":" + std::to_string(verdict.line));
    switch (verdict.status) {
    case HostKeyStatus::known:
        return;
    case HostKeyStatus::revoked:
        throw Error(ErrorKind::permission, "host key of " + target.describe() + " is revoked: the host offers " + key +
                                               ", which " + line + " marks @revoked; never accept it");
    case HostKeyStatus::changed:
        throw Error(ErrorKind::permission,
                    "host key of " + target.describe() + " has changed: the host offers " + key +
                        ", which does not match " + file + skipped_note(verdict) +
                        "; if the change is expected, remove the old key with ssh-keygen -f " + file + " -R " +
                        util::quoted(name));
    case HostKeyStatus::other_type:
        throw Error(ErrorKind::permission, "host key of " + target.describe() + " does not match: the host offers " +
                                               key + ", but " + file + " records a key of another type for it" +
                                               skipped_note(verdict));
    case HostKeyStatus::unknown:
        break;
    }
    if (!accept_new) {
        std::string where = files_searched(target, files);
        throw Error(ErrorKind::permission, "host key of " + target.describe() + " is not known: " + key +
                                               " is not in " + where + skipped_note(verdict) +
                                               "; check it, then accept it with --accept-new-host-key");
    }
    append_known_host(session, target);
}

}  // namespace calzion::ssh
