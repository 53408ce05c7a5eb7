// Looking at and breaking locks: the parsers, and the host-side scripts run for
// real by sh on this machine through the local runner (with its real /proc).
// Only `docker` is stood in for, by a script that lists no containers.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

#include "exec/local_runner.hpp"
#include "state/lock_admin.hpp"
#include "state/store.hpp"
#include "util/error.hpp"
#include "util/identity.hpp"

using namespace calzion;
namespace fs = std::filesystem;

namespace {

struct StateDir {
    fs::path root;

    StateDir() {
        root = fs::temp_directory_path() / ("calzion-lock-admin-test-" + std::to_string(::getpid()));
        fs::remove_all(root);
        fs::create_directories(root / "bin");
        std::ofstream(root / "bin" / "docker") << "#!/bin/sh\nexit 0\n";
        fs::permissions(root / "bin" / "docker", fs::perms::owner_all);
        std::string path = (root / "bin").string() + ":" + std::getenv("PATH");
        ::setenv("PATH", path.c_str(), 1);
    }
    ~StateDir() { fs::remove_all(root); }

    std::string dir() const { return (root / "state").string(); }
    fs::path lock() const { return root / "state/instances/shop/lock"; }
    std::string read(const std::string& relative) const {
        std::ifstream in(root / "state" / relative);
        std::stringstream text;
        text << in.rdbuf();
        return text.str();
    }
    // A lock left behind by a holder with pid `pid` ("" for none recorded).
    void leave_lock(const std::string& pid) const {
        fs::create_directories(lock());
        if (!pid.empty()) {
            std::ofstream(lock() / "pid") << pid << "\n";
        }
        std::ofstream(lock() / "owner")
            << R"({"user":"alice","machine":"laptop","pid":4242,"since":"2026-11-22T09:14:03Z","command":"deploy"})"
            << "\n";
    }
};

// The pid of a process that has ended.
std::string dead_pid() {
    pid_t child = ::fork();
    if (child == 0) {
        ::_exit(0);
    }
    ::waitpid(child, nullptr, 0);
    return std::to_string(child);
}

const char* k_held = "@@calzion state_dir\n/srv/cz\n@@calzion held\n@@calzion pid\n1234\n@@calzion alive\nyes\n"
                     "@@calzion owner\n"
                     R"({"user":"alice","machine":"laptop","pid":4242,"since":"2026-11-22T09:14:03Z","command":"deploy"})"
                     "\n\n@@calzion end\n";

}  // namespace

TEST_CASE("state::parse_lock_info") {
    SUBCASE("free") {
        auto info = state::parse_lock_info("@@calzion state_dir\n/srv/cz\n@@calzion free\n@@calzion end\n");
        CHECK(info.state_dir == "/srv/cz");
        CHECK_FALSE(info.held);
    }
    SUBCASE("held by a running holder") {
        auto info = state::parse_lock_info(k_held);
        CHECK(info.held);
        CHECK(info.holder.host_pid == "1234");
        CHECK(info.holder.liveness == state::Liveness::alive);
        CHECK(state::describe(info.holder) == "alice@laptop (deploy since 2026-11-22T09:14:03Z, pid 4242)");
    }
    SUBCASE("an owner record that is not one reads as an unknown holder") {
        auto info = state::parse_lock_info("@@calzion state_dir\n/d\n@@calzion held\n@@calzion pid\n\n"
                                           "@@calzion alive\nno\n@@calzion owner\n{oops\n@@calzion end\n");
        CHECK(info.holder.host_pid.empty());
        CHECK(info.holder.liveness == state::Liveness::gone);
        CHECK(state::describe(info.holder) == "an unknown holder");
    }
    SUBCASE("a host without /proc cannot tell") {
        std::string output = k_held;
        output.replace(output.find("alive\nyes"), 9, "alive\nunknown");
        CHECK(state::parse_lock_info(output).holder.liveness == state::Liveness::unknown);
    }
    SUBCASE("cut short") {
        CHECK_THROWS_WITH_AS(state::parse_lock_info("@@calzion state_dir\n/d\n@@calzion held\n"),
                             "the host did not say who holds the lock", Error);
    }
}

TEST_CASE("state::parse_break") {
    CHECK(state::parse_break("@@calzion broken\n") == state::BreakOutcome::broken);
    CHECK(state::parse_break("@@calzion free\n") == state::BreakOutcome::free);
    CHECK(state::parse_break("@@calzion alive\n") == state::BreakOutcome::alive);
    CHECK(state::parse_break("@@calzion changed\n") == state::BreakOutcome::changed);
    CHECK_THROWS_WITH_AS(state::parse_break(""), "the host did not say whether the lock was broken", Error);
}

TEST_CASE("state::read_lock and break_lock on a live lock") {
    StateDir state;
    exec::LocalRunner runner;
    auto [lock, observed] = state::lock_and_read(runner, state.dir(), "shop", "deploy", 0, {});

    state::LockInfo info = state::read_lock(runner, state.dir(), "shop");
    REQUIRE(info.held);
    CHECK(info.state_dir == state.dir());
    CHECK(info.holder.user == util::current_user());
    CHECK(info.holder.machine == util::machine_name());
    CHECK(info.holder.command == "deploy");
    CHECK(info.holder.client_pid == ::getpid());
    CHECK(info.holder.host_pid == state.read("instances/shop/lock/pid").substr(0, info.holder.host_pid.size()));
    CHECK(info.holder.liveness == state::Liveness::alive);

    SUBCASE("breaking it is refused, and the lock stays") {
        CHECK(state::break_lock(runner, state.dir(), "shop", info.holder, "{}") == state::BreakOutcome::alive);
        CHECK(fs::exists(state.lock()));
        CHECK_FALSE(fs::exists(fs::path(state.dir()) / "instances/shop/audit.log"));
    }
    SUBCASE("released, nobody holds it") {
        lock->release();
        CHECK_FALSE(state::read_lock(runner, state.dir(), "shop").held);
        CHECK(state::break_lock(runner, state.dir(), "shop", info.holder, "{}") == state::BreakOutcome::free);
    }
}

TEST_CASE("state::break_lock of a stale lock") {
    StateDir state;
    exec::LocalRunner runner;

    SUBCASE("its holder has ended: broken, with an audit line") {
        state.leave_lock(dead_pid());
        state::LockInfo info = state::read_lock(runner, state.dir(), "shop");
        REQUIRE(info.held);
        CHECK(info.holder.liveness == state::Liveness::gone);
        CHECK(state::describe(info.holder) == "alice@laptop (deploy since 2026-11-22T09:14:03Z, pid 4242)");
        CHECK(state::break_lock(runner, state.dir(), "shop", info.holder, R"({"message":"lock broken"})") ==
              state::BreakOutcome::broken);
        CHECK_FALSE(fs::exists(state.lock()));
        CHECK(state.read("instances/shop/audit.log") == "{\"message\":\"lock broken\"}\n");
        CHECK(fs::directory_iterator(fs::path(state.dir()) / "instances/shop")->path().filename() == "audit.log");
    }
    SUBCASE("its pid now belongs to a program that is not calzion's: stale") {
        state.leave_lock(std::to_string(::getpid()));
        CHECK(state::read_lock(runner, state.dir(), "shop").holder.liveness == state::Liveness::gone);
    }
    SUBCASE("no pid was ever recorded: stale") {
        state.leave_lock("");
        state::LockInfo info = state::read_lock(runner, state.dir(), "shop");
        CHECK(info.holder.host_pid.empty());
        CHECK(info.holder.liveness == state::Liveness::gone);
        CHECK(state::break_lock(runner, state.dir(), "shop", info.holder, "{}") == state::BreakOutcome::broken);
    }
    SUBCASE("another holder took it meanwhile: refused") {
        state.leave_lock(dead_pid());
        state::LockInfo info = state::read_lock(runner, state.dir(), "shop");
        std::ofstream(state.lock() / "pid") << dead_pid() << "\n";
        CHECK(state::break_lock(runner, state.dir(), "shop", info.holder, "{}") == state::BreakOutcome::changed);
        CHECK(fs::exists(state.lock()));
    }
}

TEST_CASE("state::read_lock refuses an instance name that is not a DNS label") {
    exec::LocalRunner runner;
    CHECK_THROWS_WITH_AS(state::read_lock(runner, "/tmp", "../etc"),
                         doctest::Contains("invalid instance name \"../etc\""), Error);
}

TEST_CASE("state::append_audit") {
    StateDir state;
    exec::LocalRunner runner;
    fs::create_directories(fs::path(state.dir()) / "instances/shop");
    std::string dir = state.dir() + "/instances/shop";
    state::append_audit(runner, dir, {"stop", {"db", "web"}, 3, "succeeded", ""});
    state::append_audit(runner, dir, {"start", {"web"}, 3, "failed", "service \"web\": it's $(broken)"});

    std::istringstream lines(state.read("instances/shop/audit.log"));
    std::string first;
    std::string second;
    std::getline(lines, first);
    std::getline(lines, second);
    CHECK(first.find(R"("command":"stop","services":["db","web"],"revision":3,"result":"succeeded","message":"")") !=
          std::string::npos);
    CHECK(first.find("\"user\":\"" + util::current_user() + "\"") != std::string::npos);
    CHECK(second.find(R"x("message":"service \"web\": it's $(broken)")x") != std::string::npos);

    SUBCASE("a directory that cannot be written is a permission error") {
        if (::geteuid() != 0) {
            fs::permissions(dir, fs::perms::owner_read | fs::perms::owner_exec);
            CHECK_THROWS_AS(state::append_audit(runner, dir, {"stop", {}, 3, "succeeded", ""}), Error);
            fs::permissions(dir, fs::perms::owner_all);
        }
        CHECK_THROWS_WITH_AS(state::append_audit(runner, state.dir() + "/instances/none", {"stop", {}, 3, "", ""}),
                             doctest::Contains("cannot append to the audit log in"), Error);
    }
}
