// The host-side scripts of the state store, run for real by sh on this machine
// through the local runner (see TempStateDir): what is tested here is the state
// directory, the lock and the records, not docker.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

#include "exec/local_runner.hpp"
#include "state/scripts.hpp"
#include "state/store.hpp"
#include "state_dir.hpp"
#include "util/error.hpp"
#include "util/shell.hpp"

using namespace calzion;
namespace fs = std::filesystem;

TEST_CASE("state::lock") {
    test::TempStateDir state("state-test");
    exec::LocalRunner runner;

    auto [first, observed] = state::lock_and_read(runner, state.dir(), "shop", "deploy", 0, {});
    CHECK(observed.state_dir == state.dir());
    CHECK(observed.current_revision == 0);
    CHECK(fs::is_directory(fs::path(state.dir()) / "instances/shop/lock"));

    SUBCASE("a second holder is refused with exit code 75, naming the first") {
        try {
            state::lock_and_read(runner, state.dir(), "shop", "deploy", 0, {});
            FAIL("expected the lock to be held");
        } catch (const Error& error) {
            CHECK(error.kind() == ErrorKind::lock_held);
            CHECK(exit_code_for(error.kind()) == 75);
            CHECK(error.message().find("instance \"shop\" is locked by ") == 0);
            CHECK(error.message().find("(deploy since ") != std::string::npos);
        }
    }
    SUBCASE("another instance has its own lock") {
        auto other = state::lock_and_read(runner, state.dir(), "blog", "deploy", 0, {});
        CHECK(other.first != nullptr);
    }
    SUBCASE("released, it can be taken again, and the host removed it") {
        first->release();
        CHECK_FALSE(fs::exists(fs::path(state.dir()) / "instances/shop/lock"));
        auto again = state::lock_and_read(runner, state.dir(), "shop", "deploy", 0, {});
        CHECK(again.first != nullptr);
    }
    SUBCASE("a waiting deploy gets the lock once it is released") {
        std::thread releaser([&] {
            std::this_thread::sleep_for(std::chrono::milliseconds(1200));
            first->release();
        });
        std::unique_ptr<state::Lock> waited;
        std::exception_ptr failure;
        try {
            waited = state::lock_and_read(runner, state.dir(), "shop", "deploy", 10, {}).first;
        } catch (...) {
            failure = std::current_exception();
        }
        releaser.join();
        if (failure) {
            std::rethrow_exception(failure);
        }
        CHECK(waited != nullptr);
    }
}

TEST_CASE("state::lock of a holder that died is taken over") {
    test::TempStateDir state("state-test");
    exec::LocalRunner runner;
    fs::path lock = fs::path(state.dir()) / "instances/shop/lock";
    fs::create_directories(lock);
    std::ofstream(lock / "pid") << "999999999\n";
    std::ofstream(lock / "owner") << "{}\n";
    auto [held, observed] = state::lock_and_read(runner, state.dir(), "shop", "deploy", 0, {});
    CHECK(held != nullptr);
}

TEST_CASE("state::record_revision") {
    test::TempStateDir state("state-test");
    exec::LocalRunner runner;
    auto [lock, observed] = state::lock_and_read(runner, state.dir(), "shop", "deploy", 0, {});
    state::RevisionInfo info;
    info.revision = 1;
    info.status = "succeeded";
    info.command = "deploy";
    info.changes = {"web: create"};
    state::record_revision(runner, observed, "shop", info, render::Deployment{"shop", "cz-shop", 1, {}});

    CHECK(state.read("format") == "1\n");
    CHECK(state.read("instances/shop/current") == "1\n");
    std::string revision = state.read("instances/shop/revisions/1.json");
    CHECK(revision.find("\"deployment\":{\"format\":1,\"instance\":\"shop\",\"network\":\"cz-shop\",\"revision\":1,"
                        "\"services\":[]}") != std::string::npos);
    CHECK(revision.find("\"status\":\"succeeded\"") != std::string::npos);
    std::string audit = state.read("instances/shop/audit.log");
    CHECK(audit.find("\"changes\":[\"web: create\"]") != std::string::npos);
    CHECK(std::count(audit.begin(), audit.end(), '\n') == 1);

    SUBCASE("the recorded revision reads back") {
        lock->release();
        auto [again, reread] = state::lock_and_read(runner, state.dir(), "shop", "deploy", 0, {});
        CHECK(reread.current_revision == 1);
        CHECK(reread.format == 1);
        REQUIRE(reread.revision.has_value());
        CHECK(reread.revision->status == "succeeded");
        CHECK(reread.revision->changes == std::vector<std::string>{"web: create"});
        CHECK(reread.revision->deployment.network == "cz-shop");
    }
}

TEST_CASE("state::instance names are checked before they reach a path on the host") {
    test::TempStateDir state("state-test");
    exec::LocalRunner runner;
    for (std::string name : {"..", "../etc", "a/b", "", "-rf", "UPPER"}) {
        CAPTURE(name);
        try {
            state::lock_and_read(runner, state.dir(), name, "destroy", 0, {});
            FAIL("expected the name to be refused");
        } catch (const Error& error) {
            CHECK(error.kind() == ErrorKind::usage);
            CHECK(error.message().find("invalid instance name ") == 0);
        }
        CHECK_THROWS_AS(state::read_state(runner, state.dir(), name, {}), Error);
    }
    CHECK_FALSE(fs::exists(fs::path(state.dir()) / "instances"));
}

TEST_CASE("state::read_state names the secrets in each env file on the host, never their values") {
    test::TempStateDir state("state-test");
    exec::LocalRunner runner;
    std::string instance_dir = state.dir() + "/instances/shop";
    exec::Result written = runner.run({state::write_secrets_argv(instance_dir, "web"), "TOKEN=hunter2\nKEY=k=v\n",
                                       std::nullopt, nullptr});
    REQUIRE(written.ok());
    exec::Result dump = runner.run({state::read_state_argv(state.dir(), "shop", {}), "", std::nullopt, nullptr});
    CHECK(dump.out.find("hunter2") == std::string::npos);
    state::HostState observed = state::parse_dump(dump.out, "shop", "local");
    CHECK(observed.secret_files.at("web") == std::set<std::string>{"KEY", "TOKEN"});
    CHECK(observed.secret_files.size() == 1);
}

TEST_CASE("state::record_init writes a marker that the state read finds, in the same round trip") {
    test::TempStateDir state("state-test");
    exec::LocalRunner runner;
    auto [lock, observed] = state::lock_and_read(runner, state.dir(), "shop", "deploy", 0, {});
    CHECK(observed.init_done.empty());
    render::RenderedService db;
    db.name = "db";
    db.container = "shop-db";
    db.init = {{"createdb", "app"}, {"sh", "-c", "echo 'it''s'"}};
    state::record_init(runner, observed, "shop", db, 3);

    std::string marker = state.read("instances/shop/init/db");
    CHECK(marker.find(R"("commands":[["createdb","app"],["sh","-c","echo 'it''s'"]])") != std::string::npos);
    CHECK(marker.find(R"("revision":3)") != std::string::npos);
    CHECK(marker.find(R"("time":")") != std::string::npos);
    CHECK(marker.find(R"("service":"db")") != std::string::npos);
    CHECK(std::count(marker.begin(), marker.end(), '\n') == 1);
    // Half-written markers of another writer do not count.
    state.write("instances/shop/init/web.tmp.123", "{");

    lock->release();
    auto [again, reread] = state::lock_and_read(runner, state.dir(), "shop", "deploy", 0, {});
    CHECK(reread.init_done == std::set<std::string>{"db"});
    CHECK(state::read_state(runner, state.dir(), "shop", {}).init_done == std::set<std::string>{"db"});
    CHECK(state::read_state(runner, state.dir(), "blog", {}).init_done.empty());
}

TEST_CASE("state::forget_instance keeps the init markers with the data, unless with volumes") {
    test::TempStateDir state("state-test");
    exec::LocalRunner runner;
    state.write("instances/shop/current", "2\n");
    state.write("instances/shop/revisions/2.json", "{}\n");
    state.write("instances/shop/init/db", "{}\n");
    state.write("instances/shop/volumes/db/data/file", "x\n");
    std::string instance_dir = state.dir() + "/instances/shop";

    REQUIRE(runner.run({state::forget_instance_argv(instance_dir, false), "", std::nullopt, nullptr}).ok());
    CHECK_FALSE(fs::exists(instance_dir + "/current"));
    CHECK_FALSE(fs::exists(instance_dir + "/revisions"));
    CHECK(state.read("instances/shop/init/db") == "{}\n");
    CHECK(state.read("instances/shop/volumes/db/data/file") == "x\n");

    REQUIRE(runner.run({state::forget_instance_argv(instance_dir, true), "", std::nullopt, nullptr}).ok());
    CHECK_FALSE(fs::exists(instance_dir));
}

TEST_CASE("state::read_state_argv and lock_argv pass the observer's arguments after their own") {
    state::Observer observer{"echo hi", {"shop", "redis:latest"}};
    auto read = state::read_state_argv("", "shop", observer);
    REQUIRE(read.size() == 8);
    CHECK(std::vector<std::string>(read.begin() + 3, read.end()) ==
          std::vector<std::string>{"calzion", "", "shop", "shop", "redis:latest"});
    auto lock = state::lock_argv("/s", "shop", "owner", 5, observer);
    REQUIRE(lock.size() == 10);
    CHECK(std::vector<std::string>(lock.begin() + 3, lock.end()) ==
          std::vector<std::string>{"calzion", "/s", "shop", "owner", "5", "shop", "redis:latest"});
    // The store's own scripts know nothing of docker.
    CHECK(read[2].find("docker") == std::string::npos);
    CHECK(lock[2].find("docker") == std::string::npos);
}

TEST_CASE("state::read_state and lock_and_read run the observer in the same round trip") {
    test::TempStateDir state("state-test");
    exec::LocalRunner runner;
    // A fragment that sets the store's variables and exits: it runs in a
    // subshell of its own, so the dump and the lock are not disturbed.
    state::Observer observer{"echo \"@@seen $# $1 $2\"; idir=/nowhere; d=/nowhere; exit 3", {"a b", "c"}};
    state::HostState read = state::read_state(runner, state.dir(), "shop", observer);
    CHECK(read.observer_output == "@@seen 2 a b c\n");
    CHECK(read.state_dir == state.dir());

    auto [lock, locked] = state::lock_and_read(runner, state.dir(), "shop", "deploy", 0, observer);
    CHECK(locked.observer_output == "@@seen 2 a b c\n");
    CHECK(fs::is_directory(fs::path(state.dir()) / "instances/shop/lock"));
    lock->release();
    CHECK_FALSE(fs::exists(fs::path(state.dir()) / "instances/shop/lock"));

    // No observer: nothing observed, and the store still answers.
    CHECK(state::read_state(runner, state.dir(), "shop", {}).observer_output.empty());
}
