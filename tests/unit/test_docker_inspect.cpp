#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "docker/inspect.hpp"
#include "docker/wait.hpp"
#include "util/error.hpp"

using namespace calzion;

TEST_CASE("docker::parse_inspected") {
    // Lines as `docker inspect --format k_inspect_format` prints them (docker's
    // messages go to stderr, which the state script drops).
    const std::string text =
        R"({"Id":"abc123","Name":"/shop-web","Image":"sha256:111","RestartCount":2,)"
        R"("Config":{"Labels":{"io.calzion.instance":"shop","io.calzion.service":"web",)"
        R"("io.calzion.spec-hash":"h1","io.calzion.revision":"7"}},)"
        R"("State":{"Status":"running","ExitCode":0,"StartedAt":"2026-11-22T01:00:00Z","Health":{"Status":"healthy"}}})"
        "\n"
        R"({"Id":"def456","Name":"/other","Image":"sha256:222","RestartCount":0,"Config":{"Labels":null},)"
        R"("State":{"Status":"exited","ExitCode":3,"StartedAt":"0001-01-01T00:00:00Z","Health":null}})"
        "\n"
        R"({"RepoTags":["redis:7","redis:latest"],"Id":"sha256:aaa"})"
        "\n"
        R"({"RepoTags":[],"Id":"sha256:bbb"})"
        "\n\nnoise\n";
    auto inspected = docker::parse_inspected(text);
    const auto& containers = inspected.containers;
    REQUIRE(containers.size() == 2);
    CHECK(containers[0].id == "abc123");
    CHECK(containers[0].name == "shop-web");
    CHECK(containers[0].service == "web");
    CHECK(containers[0].instance == "shop");
    CHECK(containers[0].spec_hash == "h1");
    CHECK(containers[0].revision == 7);
    CHECK(containers[0].status == "running");
    CHECK(containers[0].health == "healthy");
    CHECK(containers[0].restart_count == 2);
    CHECK(containers[0].started_at == "2026-11-22T01:00:00Z");
    CHECK(containers[0].image_id == "sha256:111");
    CHECK(containers[1].status == "exited");
    CHECK(containers[1].exit_code == 3);
    CHECK(containers[1].service.empty());
    CHECK(containers[1].health.empty());
    CHECK(inspected.image_ids ==
          std::map<std::string, std::string>{{"redis:7", "sha256:aaa"}, {"redis:latest", "sha256:aaa"}});

    SUBCASE("nothing at all is nothing") {
        auto none = docker::parse_inspected(" \n");
        CHECK(none.containers.empty());
        CHECK(none.image_ids.empty());
    }
    SUBCASE("a container with fields of the wrong type is an error, not a crash") {
        try {
            docker::parse_inspected(R"({"Id":"x","State":{"ExitCode":"three"}})");
            FAIL("expected an error");
        } catch (const Error& error) {
            CHECK(error.kind() == ErrorKind::operation_failed);
            CHECK(error.message().rfind("cannot read docker's description of a container: ", 0) == 0);
        }
    }
}

TEST_CASE("docker::k_inspect_format") {
    // The template prints each object on one line, as a JSON object: a field
    // that may be absent (State, Health, RepoTags) is reached with `index`.
    const std::string format = docker::k_inspect_format;
    CHECK(format.find('\n') == std::string::npos);
    CHECK(format.find('\'') == std::string::npos);
    CHECK(format.rfind(R"({{if index . "State"}})", 0) == 0);
    CHECK(format.find(R"({{with index .State "Health"}})") != std::string::npos);
    CHECK(format.find(R"({{else if index . "RepoTags"}}{"RepoTags":{{json .RepoTags}},"Id":{{json .Id}}}{{end}})") !=
          std::string::npos);
    CHECK(format.find(R"("Config":{"Labels":{{json .Config.Labels}}})") != std::string::npos);
    // A bind mount has no "Name": reached with `index`, it prints null.
    CHECK(format.find(R"("Name":{{json (index $m "Name")}})") != std::string::npos);
}

TEST_CASE("docker::references_to_inspect") {
    // 500 services of one image ask docker about that image once.
    std::vector<std::string> images(500, "local/busybox:1");
    images.insert(images.begin() + 3, "redis");
    images.push_back("docker.io/library/redis:latest");
    images.push_back("app@sha256:0123");
    CHECK(docker::references_to_inspect(images) ==
          std::vector<std::string>{"local/busybox:1", "redis:latest", "app@sha256:0123"});
    CHECK(docker::references_to_inspect({}).empty());
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

TEST_CASE("docker::not_ready_text") {
    docker::WaitOutcome outcome;
    CHECK(docker::not_ready_text("not ready after 5s", outcome) == "not ready after 5s; it printed no log lines");
    outcome.logs = "listening\n";
    CHECK(docker::not_ready_text("not ready after 5s", outcome) == "not ready after 5s; its last log lines:\nlistening\n");
}

TEST_CASE("docker::parse_inspected reads a container's owner and named volumes") {
    const std::string text =
        R"({"Id":"abc123","Name":"/shop_web","Image":"sha256:111","RestartCount":0,)"
        R"("Config":{"Labels":{"io.calzion.instance":"shop","io.calzion.service":"web",)"
        R"("io.calzion.state":"/var/lib/calzion"}},)"
        R"("Mounts":[{"Type":"volume","Name":"cz_shop_store","Destination":"/data"},)"
        R"({"Type":"bind","Name":"","Destination":"/srv"}],)"
        R"("State":{"Status":"running","ExitCode":0,"StartedAt":"2026-11-22T01:00:00Z","Health":null}})"
        "\n"
        R"({"Id":"def456","Name":"/other","Image":"sha256:222","RestartCount":0,"Config":{"Labels":null},"Mounts":[],)"
        R"("State":{"Status":"exited","ExitCode":3,"StartedAt":"0001-01-01T00:00:00Z","Health":null}})"
        "\n";
    auto containers = docker::parse_inspected(text).containers;
    REQUIRE(containers.size() == 2);
    CHECK(containers[0].name == "shop_web");
    CHECK(containers[0].state_dir == "/var/lib/calzion");
    REQUIRE(containers[0].volumes.size() == 1);
    CHECK(containers[0].volumes[0].name == "cz_shop_store");
    CHECK(containers[0].volumes[0].target == "/data");
    CHECK(containers[1].state_dir.empty());
    CHECK(containers[1].volumes.empty());
}
