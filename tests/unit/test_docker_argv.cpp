#include <doctest/doctest.h>

#include "docker/argv.hpp"
#include "template_helpers.hpp"

using namespace calzion;

TEST_CASE("docker::run") {
    auto deployment = testing::render_yaml(R"(
services:
  web:
    image: nginx:1.25
    cmd: ["nginx", "-g", "daemon off;"]
    entrypoint: ["/docker-entrypoint.sh", "--verbose"]
    env: {A: "x y"}
    secrets: [TOKEN]
    volumes: [/data, "cache:/cache:ro", "/etc/app:/etc/app:ro"]
    ports: ["8080:80"]
    healthcheck: {cmd: curl -f localhost, interval: 5s, retries: 3}
    user: "1000"
    memory: 512m
    options: ["--cap-add=NET_ADMIN"]
)", "shop-prod");
    const auto& web = deployment.services.front();
    docker::ServicePaths paths{"/var/lib/calzion/instances/shop-prod", true, "/var/lib/calzion"};
    auto argv = docker::run(web, deployment.network, paths, docker::PullPolicy::never);

    std::vector<std::string> expected = {
        "docker", "run", "--detach", "--pull=never", "--name", "shop-prod_web",
        "--network", "cz-shop-prod", "--network-alias", "web", "--restart", "unless-stopped",
        "--label", "io.calzion.instance=shop-prod",
        "--label", "io.calzion.revision=1",
        "--label", "io.calzion.service=web",
        "--label", "io.calzion.spec-hash=" + web.spec_hash,
        "--label", "io.calzion.state=/var/lib/calzion",
        "--env", "A=x y",
        "--env", "CALZION_INSTANCE=shop-prod",
        "--env", "CALZION_SERVICE=web",
        "--env-file", "/var/lib/calzion/instances/shop-prod/secrets/web.env",
        "--mount", "type=bind,source=/var/lib/calzion/instances/shop-prod/volumes/web/data,target=/data",
        "--mount", "type=volume,source=cz_shop-prod_cache,target=/cache,readonly",
        "--mount", "type=bind,source=/etc/app,target=/etc/app,readonly",
        "--publish", "8080:80/tcp",
        "--health-cmd", "curl -f localhost", "--health-interval", "5s", "--health-retries", "3",
        "--entrypoint", "/docker-entrypoint.sh",
        "--user", "1000", "--memory", "512m",
        "--cap-add=NET_ADMIN",
        "nginx:1.25", "--verbose", "nginx", "-g", "daemon off;"};
    CHECK(argv == expected);

    SUBCASE("secret values never reach the command line, only the file's path") {
        for (const auto& word : argv) {
            CHECK(word.find("TOKEN") == std::string::npos);
        }
    }
    SUBCASE("without secrets there is no env file") {
        paths.secrets_file = false;
        auto plain = docker::run(web, deployment.network, paths, docker::PullPolicy::missing);
        CHECK(std::find(plain.begin(), plain.end(), "--env-file") == plain.end());
        CHECK(plain[3] == "--pull=missing");
    }
}

TEST_CASE("docker::pull_policy_for") {
    auto deployment = testing::render_yaml("a: {image: x}\nb: {image: x, pull: never}\nc: {image: x, pull: always}\n");
    const auto& a = *deployment.find("a");
    const auto& b = *deployment.find("b");
    const auto& c = *deployment.find("c");
    SUBCASE("without a policy for every service, each service's own, else missing") {
        CHECK(docker::pull_policy_for(a, std::nullopt) == docker::PullPolicy::missing);
        CHECK(docker::pull_policy_for(b, std::nullopt) == docker::PullPolicy::never);
        CHECK(docker::pull_policy_for(c, std::nullopt) == docker::PullPolicy::always);
    }
    SUBCASE("the command line's policy wins over the service's") {
        CHECK(docker::pull_policy_for(b, docker::PullPolicy::always) == docker::PullPolicy::always);
        CHECK(docker::pull_policy_for(c, docker::PullPolicy::never) == docker::PullPolicy::never);
        CHECK(docker::pull_policy_for(a, docker::PullPolicy::never) == docker::PullPolicy::never);
    }
    SUBCASE("an image built from source is never pulled: it exists only on the hosts") {
        auto built = testing::render_yaml("web: {git: .}\napi: {build: api}\n");
        CHECK(docker::pull_policy_for(*built.find("web"), std::nullopt) == docker::PullPolicy::never);
        CHECK(docker::pull_policy_for(*built.find("api"), docker::PullPolicy::always) == docker::PullPolicy::never);
    }
    SUBCASE("names") {
        CHECK(render::pull_policy_named("never") == docker::PullPolicy::never);
        CHECK(render::pull_policy_named("") == std::nullopt);
        CHECK(render::pull_policy_named("Never") == std::nullopt);
        CHECK(std::string(render::to_string(docker::PullPolicy::always)) == "always");
        docker::ServicePaths paths{"/s/instances/x", false, "/s"};
        CHECK(docker::run(b, "cz-x", paths, docker::pull_policy_for(b, std::nullopt))[3] == "--pull=never");
    }
}

TEST_CASE("docker::small builders") {
    CHECK(docker::network_create("cz-a", "a") ==
          std::vector<std::string>{"docker", "network", "create", "--label", "io.calzion.instance=a", "cz-a"});
    CHECK(docker::remove_container("a-web") == std::vector<std::string>{"docker", "rm", "--force", "a-web"});
    CHECK(docker::rename_container("a-web", "a_web_old") ==
          std::vector<std::string>{"docker", "rename", "a-web", "a_web_old"});
    CHECK(docker::secrets_file("/s/instances/a", "web") == "/s/instances/a/secrets/web.env");
    CHECK(docker::inspect_image("local/busybox:1") ==
          std::vector<std::string>{"docker", "image", "inspect", "--format", "{{.Id}}", "local/busybox:1"});
}
