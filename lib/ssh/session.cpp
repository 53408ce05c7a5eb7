#include "ssh/session.hpp"

#include "ssh/auth.hpp"
#include "ssh/config.hpp"
#include "util/host_spec.hpp"
#include "ssh/known_hosts.hpp"
#include "ssh/messages.hpp"
#include "util/error.hpp"
#include "util/identity.hpp"
#include "util/strings.hpp"

#include <libssh/callbacks.h>
#include <libssh/libssh.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <pwd.h>
#include <strings.h>
#include <unistd.h>

namespace calzion::ssh {

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* k_system_config = "/etc/ssh/ssh_config";
constexpr const char* k_default_keys[] = {"id_ed25519", "id_ecdsa", "id_rsa"};

// The home directory "~" means: $HOME, else the password database (so that a test
// or a CI job can point calzion at its own ~/.ssh).
std::string home_directory() {
    if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
        return home;
    }
    if (const passwd* entry = ::getpwuid(::getuid()); entry != nullptr) {
        return entry->pw_dir;
    }
    throw Error(ErrorKind::usage, "cannot find the home directory: HOME is not set");
}

// The remote user when neither host spec nor config names one, as with ssh.
std::string local_user_name() {
    if (const passwd* entry = ::getpwuid(::getuid()); entry != nullptr) {
        return entry->pw_name;
    }
    return util::current_user();
}

std::string get_option(ssh_session session, ssh_options_e option) {
    char* value = nullptr;
    if (ssh_options_get(session, option, &value) != SSH_OK || value == nullptr) {
        return {};
    }
    std::string text = value;
    ssh_string_free_char(value);
    return text;
}

void set_option(ssh_session session, ssh_options_e option, const void* value, const std::string& label) {
    if (ssh_options_set(session, option, value) != SSH_OK) {
        throw Error(ErrorKind::usage, "invalid ssh settings for host " + util::quoted(label) + ": " +
                                          lowercase_first(ssh_get_error(session)));
    }
}

ssh_callbacks session_callbacks() {
    static ssh_callbacks_struct callbacks = [] {
        ssh_callbacks_struct init{};
        init.auth_function = passphrase_callback;
        ssh_callbacks_init(&init);
        return init;
    }();
    return &callbacks;
}

// Let libssh read the SSH config: HOST first, then the file(s), then the user
// and port of the host spec, which win over the config.
void apply_config(ssh_session session, const util::HostSpec& spec, const Options& options, const std::string& label) {
    if (!options.config_file.empty() && !std::ifstream(options.config_file)) {
        throw Error(ErrorKind::usage,
                    "cannot read ssh config file " + util::quoted(options.config_file) + ": " + system_reason(errno));
    }
    set_option(session, SSH_OPTIONS_HOST, spec.host.c_str(), label);
    const char* file = options.config_file.empty() ? nullptr : options.config_file.c_str();
    if (ssh_options_parse_config(session, file) != SSH_OK) {
        throw Error(ErrorKind::usage, "cannot use the ssh config for host " + util::quoted(label) + ": " +
                                          lowercase_first(ssh_get_error(session)));
    }
    // calzion reports what goes wrong itself. libssh's own log lines, which a
    // config's LogLevel turns on, would garble its output and --json; set
    // CALZION_SSH_DEBUG to see them.
    int verbosity = std::getenv("CALZION_SSH_DEBUG") != nullptr ? SSH_LOG_FUNCTIONS : SSH_LOG_NOLOG;
    set_option(session, SSH_OPTIONS_LOG_VERBOSITY, &verbosity, label);
    if (!spec.user.empty()) {
        set_option(session, SSH_OPTIONS_USER, spec.user.c_str(), label);
    } else if (get_option(session, SSH_OPTIONS_USER).empty()) {
        set_option(session, SSH_OPTIONS_USER, local_user_name().c_str(), label);
    }
    if (spec.port) {
        int port = *spec.port;
        set_option(session, SSH_OPTIONS_PORT, &port, label);
    }
}

// What calzion reads from the SSH config itself: the given file, or else
// ~/.ssh/config and then the system-wide file, as ssh does.
ConfigValues read_config(const util::HostSpec& spec, const Options& options, const std::string& home) {
    std::string ssh_dir = home + "/.ssh";
    if (!options.config_file.empty()) {
        return read_config_file(options.config_file, spec.host, ssh_dir, home);
    }
    ConfigValues values = read_config_file(ssh_dir + "/config", spec.host, ssh_dir, home);
    ConfigValues system = read_config_file(k_system_config, spec.host, "/etc/ssh", home);
    values.identity_files.insert(values.identity_files.end(), system.identity_files.begin(),
                                 system.identity_files.end());
    if (values.proxy_jump.empty()) {
        values.proxy_jump = system.proxy_jump;
    }
    if (values.user_known_hosts.empty()) {
        values.user_known_hosts = system.user_known_hosts;
    }
    if (values.global_known_hosts.empty()) {
        values.global_known_hosts = system.global_known_hosts;
    }
    if (values.strict_host_key_checking.empty()) {
        values.strict_host_key_checking = system.strict_host_key_checking;
    }
    return values;
}

// libssh 0.10 turns ProxyJump into a ProxyCommand "ssh ... -W '[%h]:%p' HOST" of
// its own, which takes a list of jump hosts in reverse order, reads
// "ssh://user@host" as user "ssh://user", and does not pass the config file on
// (OpenSSH passes -F, so that jump hosts can be aliases of that file). Where
// libssh made one from the ProxyJump calzion read too, run OpenSSH's instead.
void use_openssh_jump(ssh_session session, const ConfigValues& values, const Options& options,
                      const std::string& label) {
    std::string command = get_option(session, SSH_OPTIONS_PROXYCOMMAND);
    const std::string forward = " -W '[%h]:%p' ";
    size_t at = command.rfind(forward);
    if (command.rfind("ssh ", 0) != 0 || at == std::string::npos || values.proxy_jump.empty()) {
        return;
    }
    std::string first = values.proxy_jump.substr(0, values.proxy_jump.find(','));
    if (command.substr(at + forward.size()) != parse_jump_host(first).host) {
        return;  // libssh read another ProxyJump (a Match calzion does not understand)
    }
    set_option(session, SSH_OPTIONS_PROXYCOMMAND, jump_command(values.proxy_jump, options.config_file).c_str(),
               label);
}

// The key files to offer, in order: the config's IdentityFiles, then the defaults.
std::vector<std::string> identity_files(const ConfigValues& values, const Target& target, const std::string& home) {
    std::string ssh_dir = home + "/.ssh";
    PathTokens tokens{home, local_user_name(), util::machine_name(), target.hostname, target.user,
                      std::to_string(target.port), std::to_string(::getuid())};
    std::vector<std::string> files;
    auto add = [&](const std::string& path) {
        if (std::find(files.begin(), files.end(), path) == files.end()) {
            files.push_back(path);
        }
    };
    for (const std::string& path : values.identity_files) {
        add(expand_path(path, tokens));
    }
    for (const char* name : k_default_keys) {
        add(ssh_dir + "/" + name);
    }
    return files;
}

// The known_hosts files, as OpenSSH reads them: UserKnownHostsFile (default
// ~/.ssh/known_hosts and known_hosts2), then GlobalKnownHostsFile (default
// /etc/ssh/ssh_known_hosts and ssh_known_hosts2); "none" means no file. libssh,
// which reads one file of each, is given the first ones: it orders the host key
// types it asks for by the keys they record.
void use_known_hosts_files(ssh_session session, const ConfigValues& values, Target& target, const std::string& home) {
    PathTokens tokens{home, local_user_name(), util::machine_name(), target.hostname, target.user,
                      std::to_string(target.port), std::to_string(::getuid())};
    auto expand = [&](const std::vector<std::string>& files, const std::vector<std::string>& defaults) {
        std::vector<std::string> paths;
        for (const std::string& file : files.empty() ? defaults : files) {
            if (::strcasecmp(file.c_str(), "none") != 0) {
                paths.push_back(expand_path(file, tokens));
            }
        }
        return paths;
    };
    std::vector<std::string> user = expand(values.user_known_hosts, {"~/.ssh/known_hosts", "~/.ssh/known_hosts2"});
    std::vector<std::string> global =
        expand(values.global_known_hosts, {"/etc/ssh/ssh_known_hosts", "/etc/ssh/ssh_known_hosts2"});
    target.known_hosts = user.empty() ? std::string() : user.front();
    target.known_hosts_files = user;
    target.known_hosts_files.insert(target.known_hosts_files.end(), global.begin(), global.end());
    const std::string& strict = values.strict_host_key_checking;
    target.config_accepts_new_keys = strict == "accept-new" || strict == "no" || strict == "off";
    set_option(session, SSH_OPTIONS_KNOWNHOSTS, user.empty() ? "/dev/null" : user.front().c_str(), target.label);
    set_option(session, SSH_OPTIONS_GLOBAL_KNOWNHOSTS, global.empty() ? "/dev/null" : global.front().c_str(),
               target.label);
}

// A new, configured, unconnected session; fills `target` from the config.
Session configure(const util::HostSpec& spec, const Options& options, Target& target) {
    Session session(ssh_new());
    ssh_session raw = session.get();
    if (raw == nullptr) {
        throw Error(ErrorKind::unreachable, "cannot connect to " + util::quoted(target.label) + ": out of memory");
    }
    std::string home = home_directory();
    std::string ssh_dir = home + "/.ssh";
    set_option(raw, SSH_OPTIONS_SSH_DIR, ssh_dir.c_str(), target.label);
    apply_config(raw, spec, options, target.label);
    ConfigValues values = read_config(spec, options, home);
    use_openssh_jump(raw, values, options, target.label);
    int nodelay = 1;
    long timeout = static_cast<long>(options.connect_timeout.count());
    set_option(raw, SSH_OPTIONS_NODELAY, &nodelay, target.label);
    set_option(raw, SSH_OPTIONS_TIMEOUT, &timeout, target.label);

    target.hostname = get_option(raw, SSH_OPTIONS_HOST);
    target.user = get_option(raw, SSH_OPTIONS_USER);
    unsigned int port = 22;
    ssh_options_get_port(raw, &port);
    target.port = static_cast<int>(port);
    use_known_hosts_files(raw, values, target, home);
    target.identity_files = identity_files(values, target, home);
    ssh_set_callbacks(raw, session_callbacks());
    return session;
}

void connect_socket(ssh_session session, const Target& target) {
    if (ssh_connect(session) != SSH_OK) {
        throw Error(ErrorKind::unreachable,
                    "cannot connect to " + target.describe() + ": " + lowercase_first(ssh_get_error(session)));
    }
}

Error auth_failure(const Target& target, const AuthOutcome& outcome) {
    std::string message = "cannot connect to " + target.describe() + ": authentication failed for user " +
                          util::quoted(target.user);
    if (outcome.tried.empty()) {
        message += ": no ssh-agent and no usable key file";
    } else {
        message += " with ";
        for (size_t i = 0; i < outcome.tried.size(); ++i) {
            message += (i > 0 ? ", " : "") + outcome.tried[i];
        }
    }
    for (const std::string& note : outcome.notes) {
        message += "; " + note;
    }
    return Error(ErrorKind::unreachable, message);
}

}  // namespace

Session::~Session() {
    if (m_session != nullptr) {
        ssh_disconnect(m_session);
        ssh_free(m_session);
    }
}

Session& Session::operator=(Session&& other) noexcept {
    if (this != &other) {
        Session old(std::move(*this));
        m_session = std::exchange(other.m_session, nullptr);
    }
    return *this;
}

Session open_session(const std::string& host_spec, const Options& options, Target& target) {
    util::HostSpec spec = util::parse_host_spec(host_spec);
    target.label = options.label.empty() ? host_spec : options.label;
    auto deadline = Clock::now() + options.connect_timeout;
    const char* agent = std::getenv("SSH_AUTH_SOCK");
    bool use_agent = agent != nullptr && *agent != '\0';
    AuthOutcome earlier;
    for (;;) {
        Session session = configure(spec, options, target);
        connect_socket(session.get(), target);
        verify_host_key(session.get(), target, options.accept_new_host_key || target.config_accepts_new_keys);
        AuthOutcome outcome = authenticate(session.get(), target, use_agent, deadline);
        if (outcome.authenticated) {
            return session;
        }
        outcome.tried.insert(outcome.tried.begin(), earlier.tried.begin(), earlier.tried.end());
        // The agent's keys can use up the server's MaxAuthTries before the key
        // files get their turn: then connect again without the agent.
        if (!(outcome.disconnected && use_agent)) {
            throw auth_failure(target, outcome);
        }
        use_agent = false;
        earlier = std::move(outcome);
    }
}

}  // namespace calzion::ssh
