#include <doctest/doctest.h>

#include "backend/backend.hpp"
#include "ops/backends.hpp"
#include "fake_runner.hpp"
#include "util/error.hpp"

using namespace calzion;

TEST_CASE("ops::backend_named") {
    CHECK(ops::backend_named("docker").name() == "docker");
    CHECK(&ops::backend_named("") == &ops::backend_named("docker"));
    CHECK(ops::backend_named("swarm").name() == "swarm");
    CHECK_FALSE(ops::backend_named("docker").restarts_in_place());
    CHECK(ops::backend_named("swarm").restarts_in_place());
    try {
        ops::backend_named("nomad");
        FAIL("expected an error");
    } catch (const Error& error) {
        CHECK(error.kind() == ErrorKind::usage);
        CHECK(error.message() == "the \"nomad\" backend is not available in this calzion yet");
    }
}

TEST_CASE("docker backend: lifecycle and destroy commands") {
    const backend::Backend& docker = ops::backend_named("docker");
    test::FakeRunner runner;

    SUBCASE("workloads go in one docker rm, with their anonymous volumes when asked") {
        docker.remove_workloads(runner, {"shop_web", "shop_db"}, true);
        docker.remove_workloads(runner, {"shop_web"}, false);
        REQUIRE(runner.commands().size() == 2);
        CHECK(runner.commands()[0].argv ==
              std::vector<std::string>{"docker", "rm", "--force", "--volumes", "shop_web", "shop_db"});
        CHECK(runner.commands()[1].argv == std::vector<std::string>{"docker", "rm", "--force", "shop_web"});
    }
    SUBCASE("a refusal says what failed, in one line") {
        runner.on_prefix({"docker", "rm"}, exec::Result{1, "", "", "Error response from daemon: busy\nmore\n"});
        CHECK_THROWS_WITH_AS(docker.remove_workloads(runner, {"shop_web"}, false),
                             "removing containers failed: Error response from daemon: busy", Error);
        runner.on_prefix({"docker", "stop"}, exec::Result{1, "", "", "no such container\n"});
        CHECK_THROWS_WITH_AS(docker.stop(runner, {"shop_web", "web", "/var/lib/calzion/instances/shop"}), "docker stop failed: no such container", Error);
    }
    SUBCASE("a network that cannot be removed is not an error") {
        runner.on_prefix({"docker", "network"}, exec::Result{1, "", "", "not found\n"});
        CHECK_FALSE(docker.remove_network(runner, "cz_shop"));
    }
}
