#include <doctest/doctest.h>

#include <chrono>

#include "docker/attach.hpp"
#include "util/error.hpp"
#include "exec/local_runner.hpp"

using namespace calzion;

TEST_CASE("docker::logs") {
    SUBCASE("plain: docker logs with the options asked for") {
        docker::LogsOptions options;
        options.tail = "20";
        options.since = "10m";
        options.timestamps = true;
        CHECK(docker::logs("app-web", options) ==
              docker::Argv{"docker", "logs", "--tail", "20", "--since", "10m", "--timestamps", "app-web"});
        CHECK(docker::logs("app-web", {}) == docker::Argv{"docker", "logs", "app-web"});
    }

    SUBCASE("following: wrapped so that it ends with its stdin") {
        docker::LogsOptions options;
        options.follow = true;
        auto argv = docker::logs("app-web", options);
        REQUIRE(argv.size() == 8);
        CHECK(argv[0] == "sh");
        CHECK(argv[1] == "-c");
        CHECK(docker::Argv(argv.begin() + 4, argv.end()) == docker::Argv{"docker", "logs", "--follow", "app-web"});
    }
}

// The wrapper, run by a real sh with a stand-in for docker logs -f.
TEST_CASE("docker::logs follow wrapper under /bin/sh") {
    docker::LogsOptions options;
    options.follow = true;
    auto argv = docker::logs("unused", options);
    argv.resize(4);
    exec::LocalRunner runner;
    exec::Command command;

    SUBCASE("the program's output, status and end pass through while stdin stays open") {
        command.argv = argv;
        command.argv.insert(command.argv.end(), {"sh", "-c", "echo from-logs; echo to-err >&2; exit 3"});
        command.keep_stdin_open = true;
        auto result = runner.run(command);
        CHECK(result.exit_code == 3);
        CHECK(result.out == "from-logs\n");
        CHECK(result.err == "to-err\n");
    }

    SUBCASE("closing stdin ends a program that would run on") {
        command.argv = argv;
        command.argv.insert(command.argv.end(), {"sleep", "30"});
        command.keep_stdin_open = false;
        auto start = std::chrono::steady_clock::now();
        auto result = runner.run(command);
        CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(20));
        CHECK_FALSE(result.ok());
    }
}

TEST_CASE("docker::exec") {
    CHECK(docker::exec("app-web", {"sh", "-c", "echo $HOME"}, {}) ==
          docker::Argv{"docker", "exec", "app-web", "sh", "-c", "echo $HOME"});
    docker::ExecOptions options;
    options.interactive = true;
    options.tty = true;
    options.term = "xterm-256color";
    options.user = "0:0";
    options.workdir = "/srv";
    CHECK(docker::exec("app-web", {"psql"}, options) ==
          docker::Argv{"docker", "exec", "--interactive", "--tty", "--env", "TERM=xterm-256color", "--user", "0:0",
                       "--workdir", "/srv", "app-web", "psql"});
    options.tty = false;
    CHECK(docker::exec("app-web", {"cat"}, options) ==
          docker::Argv{"docker", "exec", "--interactive", "--user", "0:0", "--workdir", "/srv", "app-web", "cat"});
}

TEST_CASE("docker::check_since") {
    for (const char* fine : {"", "10m", "1h30m", "1.5h", "300ms", "1767366245", "1767366245.5", "2026-01-02",
                             "2026-01-02T15:04:05", "2026-01-02T15:04:05.123Z", "2026-01-02T15:04+01:00"}) {
        CHECK_NOTHROW(docker::check_since(fine));
    }
    for (const char* wrong : {"yesterday", "10 m", "-1h", "2026-1-2", "2026-01-02 15:04"}) {
        try {
            docker::check_since(wrong);
            FAIL("accepted " << wrong);
        } catch (const Error& error) {
            CHECK(error.kind() == ErrorKind::usage);
            CHECK(error.message() == "--since: expected a time (2026-01-02T15:04:05Z, a Unix time) or a duration "
                                     "(10m, 1h30m), got \"" + std::string(wrong) + "\"");
        }
    }
}
