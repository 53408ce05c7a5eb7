#include <doctest/doctest.h>

#include "docker/init_command.hpp"
#include "exec/local_runner.hpp"

using namespace calzion;

namespace {

// The wrapper of init_command around another program, run by this machine's sh.
exec::Result wrapped(const std::vector<std::string>& program, int lines) {
    auto argv = docker::init_command("c", {"x"}, lines);
    argv.resize(5);  // sh -c SCRIPT calzion LINES, without "docker exec c x"
    argv.insert(argv.end(), program.begin(), program.end());
    exec::LocalRunner runner;
    return runner.run({argv, "", std::nullopt, nullptr});
}

}  // namespace

TEST_CASE("docker::init_command") {
    SUBCASE("docker exec of the words as they are, behind the output wrapper") {
        auto argv = docker::init_command("shop-db", {"psql", "-c", "create database 'a b'; $(reboot)"});
        REQUIRE(argv.size() == 15);
        CHECK(std::vector<std::string>(argv.begin(), argv.begin() + 2) == std::vector<std::string>{"sh", "-c"});
        CHECK(std::vector<std::string>(argv.begin() + 3, argv.end()) ==
              std::vector<std::string>{"calzion", "20", "docker", "exec", "shop-db", "sh", "-c", "exec \"$@\" 2>&1",
                                       "calzion-init", "psql", "-c", "create database 'a b'; $(reboot)"});
    }
    SUBCASE("the last lines of stdout and stderr, in the order written, and the exit code") {
        auto result = wrapped({"sh", "-c", "for i in 1 2 3; do echo out$i; echo err$i >&2; done; exit 3"}, 3);
        CHECK(result.exit_code == 3);
        CHECK(result.out == "err2\nout3\nerr3\n");
        CHECK(result.err == "");
    }
    SUBCASE("a long output is cut to its tail; success is exit 0") {
        auto result = wrapped({"sh", "-c", "i=0; while [ $i -lt 5000 ]; do i=$((i+1)); echo line $i; done"}, 2);
        CHECK(result.exit_code == 0);
        CHECK(result.out == "line 4999\nline 5000\n");
    }
    SUBCASE("a program that cannot run fails like in a shell") {
        auto result = wrapped({"/nonexistent/program"}, 20);
        CHECK(result.exit_code == 127);
        CHECK(result.out.find("/nonexistent/program") != std::string::npos);
    }
}
