// The SSH transport (lib/ssh) against the real sshd of the e2e test hosts
// (tests/e2e/harness/hosts.sh), with no mocks: what ssh::connect and the runner
// it returns promise in connect.hpp, ssh_runner.hpp and exec/runner.hpp.
//
// The hosts are described by $CZ_E2E_DIR/env. Without them the tests exit 77
// ("skipped"), or fail with CI=true. Every test makes its own connection, and
// its own ssh_config and known_hosts files under a temporary directory: the
// harness's files are only read.
#include "exec/runner.hpp"
#include "ssh/connect.hpp"
#include "util/error.hpp"
#include "util/sha256.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <netinet/in.h>
#include <optional>
#include <poll.h>
#include <random>
#include <sstream>
#include <stdexcept>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <utility>

using calzion::Error;
using calzion::ErrorKind;
using calzion::exec::Command;
using calzion::exec::Result;
using calzion::exec::Runner;
using calzion::exec::Stream;
using calzion::util::sha256_hex;
using namespace std::chrono_literals;
namespace ssh = calzion::ssh;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// ---------------------------------------------------------------- test hosts

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void write_file(const std::string& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

// The variables of a hosts.sh env file: lines "export NAME='value'" or
// "export NAME=value"; anything else is ignored.
std::map<std::string, std::string> read_env_file(const std::string& path) {
    std::map<std::string, std::string> vars;
    std::istringstream lines(read_file(path));
    const std::string prefix = "export ";
    for (std::string line; std::getline(lines, line);) {
        size_t equals = line.find('=');
        if (line.rfind(prefix, 0) != 0 || equals == std::string::npos) {
            continue;
        }
        std::string value = line.substr(equals + 1);
        if (value.size() >= 2 && value.front() == '\'' && value.back() == '\'') {
            value = value.substr(1, value.size() - 2);
        }
        vars[line.substr(prefix.size(), equals - prefix.size())] = value;
    }
    return vars;
}

// A fresh directory, removed with everything in it when this goes.
class TempDir {
public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "cz-ssh-e2e.XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) {
            throw std::runtime_error("mkdtemp failed");
        }
        m_path = pattern;
    }
    ~TempDir() {
        std::error_code ignored;
        fs::remove_all(m_path, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::string& path() const { return m_path; }
    std::string operator/(const std::string& name) const { return m_path + "/" + name; }

private:
    std::string m_path;
};

[[noreturn]] void hosts_unavailable(const std::string& why) {
    if (const char* ci = std::getenv("CI"); ci != nullptr && std::string(ci) == "true") {
        std::fprintf(stderr, "FAIL: calzion_ssh_e2e: test hosts required in CI: %s\n", why.c_str());
        std::exit(1);
    }
    std::fprintf(stderr, "SKIP: calzion_ssh_e2e: %s; start them with: %s up DIR 2 && export CZ_E2E_DIR=DIR\n",
                 why.c_str(), CALZION_E2E_HOSTS_SH);
    std::exit(77);
}

// The variables of $CZ_E2E_DIR/env. The first call checks that the hosts are up
// (else exits, see hosts_unavailable) and makes the process hermetic: an empty
// $HOME, so that no key or config of the real user takes part, and no agent.
const std::map<std::string, std::string>& hosts() {
    static const std::map<std::string, std::string> vars = [] {
        const char* dir = std::getenv("CZ_E2E_DIR");
        if (dir == nullptr || *dir == '\0') {
            hosts_unavailable("CZ_E2E_DIR is not set");
        }
        std::string env_file = std::string(dir) + "/env";
        if (!fs::exists(env_file)) {
            hosts_unavailable("no hosts up in " + std::string(dir) + " (no env file)");
        }
        std::string status = std::string("bash ") + CALZION_E2E_HOSTS_SH + " status '" + dir + "' >/dev/null 2>&1";
        if (std::system(status.c_str()) != 0) {
            hosts_unavailable("hosts in " + std::string(dir) + " are not all up (hosts.sh status)");
        }
        static TempDir home;
        fs::create_directory(home / ".ssh");
        ::setenv("HOME", home.path().c_str(), 1);
        ::unsetenv("SSH_AUTH_SOCK");
        return read_env_file(env_file);
    }();
    return vars;
}

const std::string& host_var(const std::string& name) {
    auto found = hosts().find(name);
    REQUIRE_MESSAGE(found != hosts().end(), name << " is missing from $CZ_E2E_DIR/env");
    return found->second;
}

// host1's host key, "ssh-ed25519 AAAA...", from the harness's known_hosts.
std::string host1_key() {
    std::istringstream lines(read_file(host_var("CZ_KNOWN_HOSTS")));
    std::string prefix = host_var("CZ_HOST1_ADDR") + " ";
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind(prefix, 0) == 0) {
            return line.substr(prefix.size());
        }
    }
    FAIL("no key for host1 in " << host_var("CZ_KNOWN_HOSTS"));
    return {};
}

// The public half ("ssh-ed25519 AAAA...") of a new key pair at `path`.
std::string new_key(const std::string& path) {
    std::string command = "ssh-keygen -q -t ed25519 -N '' -C other -f '" + path + "' </dev/null";
    REQUIRE(std::system(command.c_str()) == 0);
    std::string public_key = read_file(path + ".pub");
    return public_key.substr(0, public_key.rfind(' '));
}

// An ssh_config whose Host "target" is host1 (or `hostname`:`port`) with these
// key and known_hosts files; returns its path.
std::string write_config(const TempDir& dir, const std::string& known_hosts, const std::string& identity,
                         const std::string& hostname = {}, int port = 22) {
    std::string path = dir / "ssh_config";
    write_file(path, "Host target\n"
                     "  HostName " + (hostname.empty() ? host_var("CZ_HOST1_ADDR") : hostname) + "\n"
                     "  Port " + std::to_string(port) + "\n"
                     "  User root\n"
                     "  IdentityFile " + identity + "\n"
                     "  IdentitiesOnly yes\n"
                     "  UserKnownHostsFile " + known_hosts + "\n"
                     "  GlobalKnownHostsFile /dev/null\n");
    return path;
}

ssh::Options options_for(const std::string& config_file, bool accept_new = false) {
    ssh::Options options;
    options.config_file = config_file;
    options.accept_new_host_key = accept_new;
    options.connect_timeout = 20s;
    return options;
}

// A connection to host1 as the harness's ssh_config describes it.
std::unique_ptr<Runner> connect_host1() {
    return ssh::connect("host1", options_for(host_var("CZ_SSH_CONFIG")));
}

// The Error ssh::connect throws; fails the test if it connects.
Error connect_error(const std::string& host_spec, const ssh::Options& options) {
    try {
        ssh::connect(host_spec, options);
    } catch (const Error& error) {
        return error;
    }
    FAIL("connecting to " << host_spec << " succeeded");
    throw std::logic_error("unreachable");
}

// Every command gets a timeout: a hang fails the test instead of blocking ctest.
Result run(Runner& runner, std::vector<std::string> argv, std::string input = {}) {
    Command command;
    command.argv = std::move(argv);
    command.input = std::move(input);
    command.timeout = 60s;
    return runner.run(command);
}

// A directory on the remote host, removed again when this goes.
class RemoteDir {
public:
    explicit RemoteDir(Runner& runner) : m_runner(runner) {
        Result made = run(runner, {"mktemp", "-d"});
        REQUIRE(made.ok());
        m_path = made.out.substr(0, made.out.find('\n'));
    }
    ~RemoteDir() {
        try {
            run(m_runner, {"rm", "-rf", m_path});
        } catch (const Error&) {
        }
    }
    RemoteDir(const RemoteDir&) = delete;
    RemoteDir& operator=(const RemoteDir&) = delete;

    const std::string& path() const { return m_path; }
    std::string operator/(const std::string& name) const { return m_path + "/" + name; }

private:
    Runner& m_runner;
    std::string m_path;
};

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

std::string random_bytes(size_t size) {
    std::mt19937 generator(20240601);
    std::string bytes(size, '\0');
    for (char& byte : bytes) {
        byte = static_cast<char>(generator() & 0xff);
    }
    return bytes;
}

// A TCP relay from 127.0.0.1 (an ephemeral port) to `address`:22, so that a
// host's sshd can be reached on a port other than 22. One thread per connection.
class Relay {
public:
    explicit Relay(const std::string& address) {
        m_target.sin_family = AF_INET;
        m_target.sin_port = htons(22);
        REQUIRE(::inet_pton(AF_INET, address.c_str(), &m_target.sin_addr) == 1);
        m_listen = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in local{};
        local.sin_family = AF_INET;
        local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t size = sizeof local;
        REQUIRE(::bind(m_listen, reinterpret_cast<sockaddr*>(&local), size) == 0);
        REQUIRE(::listen(m_listen, 8) == 0);
        REQUIRE(::getsockname(m_listen, reinterpret_cast<sockaddr*>(&local), &size) == 0);
        m_port = ntohs(local.sin_port);
        m_accept = std::thread([this] { accept_loop(); });
    }
    ~Relay() {
        m_stop = true;
        m_accept.join();  // no connection threads are added after this
        for (std::thread& thread : m_connections) {
            thread.join();
        }
        ::close(m_listen);
    }
    Relay(const Relay&) = delete;
    Relay& operator=(const Relay&) = delete;

    int port() const { return m_port; }

private:
    void accept_loop() {
        while (!m_stop) {
            pollfd listening{m_listen, POLLIN, 0};
            if (::poll(&listening, 1, 100) != 1) {
                continue;
            }
            int client = ::accept4(m_listen, nullptr, nullptr, SOCK_CLOEXEC);
            if (client < 0) {
                continue;
            }
            m_connections.emplace_back([this, client] { pump(client); });
        }
    }

    // Copy bytes both ways until either side closes.
    void pump(int client) {
        int server = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (::connect(server, reinterpret_cast<const sockaddr*>(&m_target), sizeof m_target) == 0) {
            char buffer[64 * 1024];
            pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
            for (bool open = true; open && !m_stop;) {
                if (::poll(fds, 2, 100) <= 0) {
                    continue;
                }
                for (int i = 0; i < 2 && open; ++i) {
                    if (fds[i].revents == 0) {
                        continue;
                    }
                    ssize_t got = ::read(fds[i].fd, buffer, sizeof buffer);
                    open = got > 0 && ::send(fds[1 - i].fd, buffer, static_cast<size_t>(got), MSG_NOSIGNAL) == got;
                }
            }
        }
        ::close(server);
        ::close(client);
    }

    sockaddr_in m_target{};
    int m_listen = -1;
    int m_port = 0;
    std::atomic<bool> m_stop{false};
    std::thread m_accept;
    std::vector<std::thread> m_connections;  // the accept thread's until it is joined
};

}  // namespace

// ---------------------------------------------------------------- running commands

TEST_CASE("ssh runner: exit codes and signals pass through") {
    auto runner = connect_host1();
    Result exited = run(*runner, {"sh", "-c", "exit 3"});
    CHECK(exited.exit_code == 3);
    CHECK(exited.signal == "");

    Result killed = run(*runner, {"sh", "-c", "kill -KILL $$"});
    CHECK(killed.signal == "KILL");
    CHECK_FALSE(killed.ok());

    CHECK(run(*runner, {"true"}).ok());
}

TEST_CASE("ssh runner: 2 MiB on stdout and 2 MiB on stderr at once arrive intact") {
    auto runner = connect_host1();
    RemoteDir dir(*runner);
    const std::string blob = dir / "blob";
    constexpr size_t k_size = 2 * 1024 * 1024;
    Result made = run(*runner, {"sh", "-c", "head -c " + std::to_string(k_size) + " /dev/urandom >\"$1\" && sha256sum <\"$1\"",
                                "sh", blob});
    REQUIRE(made.ok());
    std::string want = made.out.substr(0, 64);

    // Both streams are written concurrently: reading one of them only would stall
    // the other once the channel window is full (the run would time out).
    auto start = Clock::now();
    Result both = run(*runner, {"sh", "-c", "cat \"$1\" & cat \"$1\" >&2; wait", "sh", blob});
    MESSAGE("2 x 2 MiB in " << seconds_since(start) << " s");
    CHECK(both.exit_code == 0);
    CHECK(both.out.size() == k_size);
    CHECK(both.err.size() == k_size);
    CHECK(sha256_hex(both.out) == want);
    CHECK(sha256_hex(both.err) == want);
}

TEST_CASE("ssh runner: 3 MB of stdin arrive intact") {
    auto runner = connect_host1();
    std::string input = random_bytes(3'000'000);
    auto start = Clock::now();
    Result hashed = run(*runner, {"sha256sum"}, input);
    MESSAGE("3 MB in " << seconds_since(start) << " s");
    CHECK(hashed.exit_code == 0);
    CHECK(hashed.out == sha256_hex(input) + "  -\n");
}

TEST_CASE("ssh runner: hostile arguments arrive literally") {
    auto runner = connect_host1();
    RemoteDir dir(*runner);
    const std::string marker = dir / "pwned";
    const std::vector<std::string> hostile = {
        "it's", "\"double\" 'single'", "\\'", "'\"'\"'",         // quotes
        "$(touch " + marker + ")", "`touch " + marker + "`",  // command substitution
        "; touch " + marker, "| cat", "&& true #", "!!",      // shell syntax
        "$HOME ${PATH}", "*", "~", "%s%d\\0", "back\\slash\\",  // expansions, escapes
        "a\nb\n", "\r\n", "\ttab", "  spaces  ", "",           // whitespace, nothing
        "ünïcødé ✓ 日本", "\x01\x7f\xff", "-n", "--",           // non-ASCII, control, options
    };
    std::vector<std::string> argv = {"printf", "%s\\0"};
    argv.insert(argv.end(), hostile.begin(), hostile.end());
    Result printed = run(*runner, argv);
    CHECK(printed.exit_code == 0);
    std::string want;
    for (const std::string& word : hostile) {
        want += word;
        want += '\0';
    }
    CHECK(printed.out == want);
    CHECK(printed.err == "");
    CHECK(run(*runner, {"test", "-e", marker}).exit_code == 1);  // nothing ran
}

TEST_CASE("ssh runner: Command::timeout throws within bounded time") {
    auto runner = connect_host1();
    Command sleeper;
    sleeper.argv = {"sleep", "5"};
    sleeper.timeout = 500ms;
    auto start = Clock::now();
    std::optional<Error> error;
    try {
        runner->run(sleeper);
    } catch (const Error& caught) {
        error = caught;
    }
    double elapsed = seconds_since(start);
    MESSAGE("timed out after " << elapsed << " s");
    REQUIRE(error.has_value());
    CHECK(error->kind() == ErrorKind::operation_failed);
    CHECK(error->message() == "command \"sleep 5\" timed out after 0.5 s");
    CHECK(elapsed >= 0.5);
    CHECK(elapsed < 3.0);
    // The connection is still usable.
    CHECK(run(*runner, {"true"}).ok());
}

TEST_CASE("ssh runner: on_output streams output as it arrives") {
    // The command waits for a marker that the test creates only once it has seen
    // "ready": if output were delivered at the end only, it would exit 9.
    auto runner = connect_host1();
    RemoteDir dir(*runner);
    const std::string marker = dir / "go";
    std::string out;
    std::string err;
    bool marked = false;
    Command command;
    command.argv = {"sh", "-c",
                    "echo ready; echo warning >&2; i=0\n"
                    "while [ ! -e \"$1\" ]; do i=$((i + 1)); [ $i -lt 400 ] || exit 9; sleep 0.05; done\n"
                    "echo done",
                    "sh", marker};
    command.timeout = 60s;
    command.on_output = [&](Stream stream, std::string_view chunk) {
        (stream == Stream::out ? out : err).append(chunk);
        if (!marked && out.find("ready\n") != std::string::npos) {
            marked = true;
            REQUIRE(run(*runner, {"touch", marker}).ok());
        }
    };
    Result result = runner->run(command);
    CHECK(result.exit_code == 0);
    CHECK(out == "ready\ndone\n");
    CHECK(err == "warning\n");
    CHECK(result.out == "");  // handed over, not collected
    CHECK(result.err == "");
}

TEST_CASE("ssh runner: start, read_line, finish") {
    auto runner = connect_host1();
    Command command;
    command.argv = {"sh", "-c", "echo hello; cat; echo bye; echo oops >&2; exit 4"};
    command.input = "line one\nline two\n";
    command.timeout = 30s;
    auto process = runner->start(command);
    CHECK(process->read_line(10s) == "hello");
    CHECK(process->read_line(10s) == "line one");
    CHECK(process->read_line(10s) == "line two");
    // stdin stays open after the input: cat waits for more.
    auto start = Clock::now();
    CHECK(process->read_line(300ms) == std::nullopt);
    CHECK(seconds_since(start) >= 0.3);
    Result result = process->finish();
    CHECK(result.exit_code == 4);
    CHECK(result.out == "bye\n");
    CHECK(result.err == "oops\n");
}

TEST_CASE("ssh runner: Process::write streams 40 MB of stdin, paced by the connection") {
    auto runner = connect_host1();
    Command command;
    // The program reads nothing for a second: the writer must wait for it.
    command.argv = {"sh", "-c", "sleep 1; exec sha256sum"};
    command.input = "first ";
    auto process = runner->start(command);
    std::string piece = random_bytes(64 * 1024);
    std::string all = command.input;
    auto start = Clock::now();
    for (int i = 0; i < 640; ++i) {
        REQUIRE(process->write(piece));
        all += piece;
    }
    MESSAGE("40 MB written in " << seconds_since(start) << " s");
    CHECK(seconds_since(start) >= 0.9);  // not buffered whole in memory
    Result result = process->finish();
    CHECK(result.exit_code == 0);
    CHECK(result.out == sha256_hex(all) + "  -\n");
    // Once the program has ended, writes are refused rather than lost in silence.
    auto ended = runner->start({{"true"}, "", std::nullopt, nullptr});
    std::this_thread::sleep_for(500ms);
    ended->finish();
    CHECK_FALSE(ended->write("late"));
}

TEST_CASE("ssh runner: 12 concurrent run() calls, at most 8 at once") {
    // Each command counts, on the host, the commands whose marker directories
    // exist when it starts (itself included): the largest count is the overlap.
    auto runner = connect_host1();
    RemoteDir dir(*runner);
    const std::string script = "mkdir \"$1/$2\" && n=$(ls \"$1\" | wc -l) && sleep 1.5 && rmdir \"$1/$2\" && echo $n";
    constexpr int k_commands = 12;
    std::vector<std::future<Result>> results;
    auto start = Clock::now();
    for (int i = 0; i < k_commands; ++i) {
        results.push_back(std::async(std::launch::async, [&, i] {
            return run(*runner, {"sh", "-c", script, "sh", dir.path(), "c" + std::to_string(i)});
        }));
    }
    int peak = 0;
    for (auto& result : results) {
        Result done = result.get();
        CHECK(done.exit_code == 0);
        CHECK(done.err == "");
        peak = std::max(peak, std::atoi(done.out.c_str()));
    }
    MESSAGE("12 x sleep 1.5 in " << seconds_since(start) << " s, at most " << peak << " at once");
    CHECK(peak <= 8);
    CHECK(peak == 8);  // and the 8 slots are really used at once
}

TEST_CASE("ssh runner: a long command does not hold up a short one on another thread") {
    auto runner = connect_host1();
    std::promise<void> started;
    std::atomic<bool> long_done{false};
    auto long_run = std::async(std::launch::async, [&] {
        bool told = false;
        Command command;
        command.argv = {"sh", "-c", "echo started; sleep 2"};
        command.timeout = 60s;
        command.on_output = [&](Stream, std::string_view) {
            if (!std::exchange(told, true)) {
                started.set_value();
            }
        };
        auto start = Clock::now();
        Result result = runner->run(command);
        long_done = true;
        return std::pair(result, seconds_since(start));
    });
    REQUIRE(started.get_future().wait_for(20s) == std::future_status::ready);
    auto start = Clock::now();
    Result quick = run(*runner, {"echo", "quick"});
    double elapsed = seconds_since(start);
    MESSAGE("short command in " << elapsed << " s while sleep 2 runs");
    CHECK(quick.out == "quick\n");
    CHECK(elapsed < 1.0);
    CHECK_FALSE(long_done.load());
    auto [result, long_elapsed] = long_run.get();
    CHECK(result.ok());
    CHECK(long_elapsed >= 2.0);
}

TEST_CASE("ssh::channels_opened counts command channels") {
    long before = ssh::channels_opened();
    auto runner = connect_host1();
    CHECK(ssh::channels_opened() == before);  // connecting opens none
    for (int i = 0; i < 3; ++i) {
        REQUIRE(run(*runner, {"true"}).ok());
    }
    CHECK(ssh::channels_opened() == before + 3);
    Command command;
    command.argv = {"true"};
    command.timeout = 30s;
    CHECK(runner->start(command)->finish().ok());
    CHECK(ssh::channels_opened() == before + 4);
}

// ---------------------------------------------------------------- host keys

TEST_CASE("ssh::connect refuses a changed host key, even with accept_new_host_key") {
    TempDir dir;
    std::string known_hosts = dir / "known_hosts";
    std::string recorded = host_var("CZ_HOST1_ADDR") + " " + new_key(dir / "other_key") + "\n";
    write_file(known_hosts, recorded);
    std::string config = write_config(dir, known_hosts, host_var("CZ_KEY"));
    for (bool accept_new : {false, true}) {
        CAPTURE(accept_new);
        Error error = connect_error("target", options_for(config, accept_new));
        CHECK(error.kind() == ErrorKind::permission);
        CHECK(error.message().find("has changed") != std::string::npos);
    }
    CHECK(read_file(known_hosts) == recorded);
}

TEST_CASE("ssh::connect refuses an unknown host key unless told to accept it") {
    TempDir dir;
    std::string known_hosts = dir / "known_hosts";
    write_file(known_hosts, "");
    std::string config = write_config(dir, known_hosts, host_var("CZ_KEY"));
    Error error = connect_error("target", options_for(config));
    CHECK(error.kind() == ErrorKind::permission);
    CHECK(error.message().find("is not known") != std::string::npos);
    CHECK(read_file(known_hosts) == "");

    CHECK(run(*ssh::connect("target", options_for(config, true)), {"true"}).ok());
    CHECK(read_file(known_hosts) == host_var("CZ_HOST1_ADDR") + " " + host1_key() + "\n");
    // The recorded key is enough from now on.
    CHECK(run(*ssh::connect("target", options_for(config)), {"true"}).ok());
}

TEST_CASE("ssh::connect records a host key on a port other than 22 as [host]:port") {
    Relay relay(host_var("CZ_HOST1_ADDR"));
    TempDir dir;
    std::string known_hosts = dir / "known_hosts";
    std::string config = write_config(dir, known_hosts, host_var("CZ_KEY"), "127.0.0.1", relay.port());
    CHECK(connect_error("target", options_for(config)).kind() == ErrorKind::permission);
    CHECK(run(*ssh::connect("target", options_for(config, true)), {"true"}).ok());
    CHECK(read_file(known_hosts) == "[127.0.0.1]:" + std::to_string(relay.port()) + " " + host1_key() + "\n");
    CHECK(run(*ssh::connect("target", options_for(config)), {"true"}).ok());
}

// ---------------------------------------------------------------- ProxyJump

TEST_CASE("ssh::connect: ProxyJump through a host of the same config file") {
    // As with ssh -F, the jump host is an alias of the file calzion was given,
    // which the ssh that libssh runs for the jump must read as well. Through the
    // jump, host1's sshd sees the connection come from host1 itself.
    TempDir dir;
    std::string config = dir / "ssh_config";
    write_file(config, "Host target\n"
                       "  HostName " + host_var("CZ_HOST1_ADDR") + "\n"
                       "  User root\n"
                       "  ProxyJump host1\n"
                       "  IdentityFile " + host_var("CZ_KEY") + "\n"
                       "  IdentitiesOnly yes\n"
                       "  UserKnownHostsFile " + host_var("CZ_KNOWN_HOSTS") + "\n"
                       "  GlobalKnownHostsFile /dev/null\n\n" +
                       read_file(host_var("CZ_SSH_CONFIG")));
    auto runner = ssh::connect("target", options_for(config));
    Result seen = run(*runner, {"sh", "-c", "echo $SSH_CONNECTION"});
    CHECK(seen.out.substr(0, seen.out.find(' ')) == host_var("CZ_HOST1_ADDR"));
    // Directly, the connection comes from the other end of host1's link.
    seen = run(*connect_host1(), {"sh", "-c", "echo $SSH_CONNECTION"});
    CHECK(seen.out.substr(0, seen.out.find(' ')) == host_var("CZ_HOST1_GATEWAY"));
}

// ---------------------------------------------------------------- failures

TEST_CASE("ssh::connect reports a key the server does not accept as unreachable") {
    TempDir dir;
    new_key(dir / "other_key");
    std::string config = write_config(dir, host_var("CZ_KNOWN_HOSTS"), dir / "other_key");
    Error error = connect_error("target", options_for(config));
    CHECK(error.kind() == ErrorKind::unreachable);
    CHECK(error.message().find("authentication failed") != std::string::npos);
}

TEST_CASE("ssh::connect reports a refused connection as unreachable") {
    std::string spec = "root@" + host_var("CZ_HOST1_ADDR") + ":1";
    Error error = connect_error(spec, options_for(host_var("CZ_SSH_CONFIG")));
    CHECK(error.kind() == ErrorKind::unreachable);
    CHECK(error.message() == "cannot connect to \"" + spec + "\" (" + host_var("CZ_HOST1_ADDR") +
                                 ":1): connection refused");
}

TEST_CASE("ssh::connect rejects a bad host spec as usage") {
    for (std::string spec : {"-oProxyCommand=touch /tmp/x", "host1:0", "host1:port", "a b", "[::1", "root@", ""}) {
        CAPTURE(spec);
        CHECK(connect_error(spec, options_for(host_var("CZ_SSH_CONFIG"))).kind() == ErrorKind::usage);
    }
}
