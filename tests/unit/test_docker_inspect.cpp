#include <doctest/doctest.h>

#include "docker/inspect.hpp"
#include "docker/wait.hpp"
#include "util/error.hpp"

using namespace calzion;

TEST_CASE("docker::parse_containers") {
    const std::string text = R"([
  {"Id": "abc123", "Name": "/shop_web", "Image": "sha256:111", "RestartCount": 2,
   "Mounts": [{"Type": "volume", "Name": "cz_shop_store", "Destination": "/data"},
              {"Type": "bind", "Source": "/srv", "Destination": "/srv"}],
   "State": {"Status": "running", "ExitCode": 0, "StartedAt": "2026-11-22T01:00:00Z",
             "Health": {"Status": "healthy"}},
   "Config": {"Labels": {"io.calzion.instance": "shop", "io.calzion.service": "web",
                         "io.calzion.spec-hash": "h1", "io.calzion.revision": "7",
                         "io.calzion.state": "/var/lib/calzion"}}},
  {"Id": "def456", "Name": "/other", "Image": "sha256:222",
   "State": {"Status": "exited", "ExitCode": 3}, "Config": {"Labels": null}}
])";
    auto containers = docker::parse_containers(text);
    REQUIRE(containers.size() == 2);
    CHECK(containers[0].name == "shop_web");
    CHECK(containers[0].state_dir == "/var/lib/calzion");
    REQUIRE(containers[0].volumes.size() == 1);
    CHECK(containers[0].volumes[0].name == "cz_shop_store");
    CHECK(containers[0].volumes[0].target == "/data");
    CHECK(containers[1].state_dir.empty());
    CHECK(containers[1].volumes.empty());
    CHECK(containers[0].service == "web");
    CHECK(containers[0].instance == "shop");
    CHECK(containers[0].spec_hash == "h1");
    CHECK(containers[0].revision == 7);
    CHECK(containers[0].health == "healthy");
    CHECK(containers[0].restart_count == 2);
    CHECK(containers[0].image_id == "sha256:111");
    CHECK(containers[1].status == "exited");
    CHECK(containers[1].exit_code == 3);
    CHECK(containers[1].service.empty());
    CHECK(containers[1].health.empty());

    SUBCASE("nothing at all is no container") { CHECK(docker::parse_containers(" \n").empty()); }
    SUBCASE("garbage is an error, not a crash") {
        CHECK_THROWS_AS(docker::parse_containers("{not json"), Error);
    }
}

TEST_CASE("docker::parse_image_ids") {
    auto ids = docker::parse_image_ids("[\"redis:7\",\"redis:latest\"] sha256:aaa\n[] sha256:bbb\nnoise\n");
    CHECK(ids.size() == 2);
    CHECK(ids["redis:7"] == "sha256:aaa");
    CHECK(ids["redis:latest"] == "sha256:aaa");
}

TEST_CASE("docker::normalize_reference") {
    CHECK(docker::normalize_reference("redis") == "redis:latest");
    CHECK(docker::normalize_reference("docker.io/library/redis:7") == "redis:7");
    CHECK(docker::normalize_reference("docker.io/me/app") == "me/app:latest");
    CHECK(docker::normalize_reference("localhost:5000/app") == "localhost:5000/app:latest");
    CHECK(docker::normalize_reference("localhost:5000/app:2") == "localhost:5000/app:2");
}

TEST_CASE("docker::parse_wait") {
    auto ready = docker::parse_wait("ready running healthy\n");
    CHECK(ready.ready);
    CHECK(ready.health == "healthy");
    auto failed = docker::parse_wait("failed exited none\nboom\nlast line\n");
    CHECK_FALSE(failed.ready);
    CHECK(failed.verdict == "failed");
    CHECK(failed.status == "exited");
    CHECK(failed.logs == "boom\nlast line\n");
}

TEST_CASE("docker::parse_versions") {
    SUBCASE("client and engine") {
        auto versions = docker::parse_versions(
            R"({"Client":{"Version":"28.2.2","ApiVersion":"1.50"},"Server":{"Version":"20.10.24","ApiVersion":"1.41"}})"
            "\n");
        CHECK(versions.client == "28.2.2");
        CHECK(versions.server == "20.10.24");
        CHECK(versions.server_api == "1.41");
    }
    SUBCASE("an engine that does not answer, its error mixed in") {
        auto versions = docker::parse_versions("Cannot connect to the Docker daemon\n"
                                               R"({"Client":{"Version":"28.2.2"},"Server":null})");
        CHECK(versions.client == "28.2.2");
        CHECK(versions.server.empty());
        CHECK(versions.server_api.empty());
    }
    SUBCASE("no JSON at all") {
        auto versions = docker::parse_versions("sh: docker: not found\n");
        CHECK(versions.client.empty());
        CHECK(versions.server.empty());
    }
}
