#include <doctest/doctest.h>

#include "docker/inspect.hpp"
#include "docker/observe.hpp"
#include "util/error.hpp"
#include "util/shell.hpp"

using namespace calzion;

namespace {

// What the observe fragment prints on a host with one container of the
// instance, image nginx:1.25, and `volumes` (one "name owner" per line).
std::string observed_output(const std::string& volumes) {
    return "@@docker inspect\n"
           R"({"Id":"x","Name":"/shop-web","State":{"Status":"running"},"Config":{"Labels":{"io.calzion.service":"web"}}})"
           "\n"
           R"({"RepoTags":["nginx:1.25","nginx:latest"],"Id":"sha256:abc"})"
           "\n@@docker volumes\n" +
           volumes;
}

}  // namespace

TEST_CASE("docker::parse_observed") {
    SUBCASE("the instance's containers as workloads, and the ids of the images asked about, as asked") {
        auto observed = docker::parse_observed(observed_output(""), {"nginx:1.25", "docker.io/library/nginx", "redis"});
        REQUIRE(observed.workloads.size() == 1);
        CHECK(observed.workloads[0].name == "shop-web");
        CHECK(observed.workloads[0].service == "web");
        CHECK(observed.image_ids == std::map<std::string, std::string>{{"nginx:1.25", "sha256:abc"},
                                                                        {"docker.io/library/nginx", "sha256:abc"}});
        CHECK(observed.volumes.empty());
    }
    SUBCASE("the named volumes labelled with the instance, each with its owner") {
        auto observed = docker::parse_observed(
            observed_output("cz_shop_data /var/lib/calzion\ncz_shop_odd\ncz_shop_x /home/a b/state\n"), {});
        CHECK(observed.volumes == std::map<std::string, std::string>{
                                      {"cz_shop_data", "/var/lib/calzion"}, {"cz_shop_odd", ""}, {"cz_shop_x", "/home/a b/state"}});
    }
    SUBCASE("docker not answering is an operation failure") {
        try {
            docker::parse_observed("@@docker failed\n", {});
            FAIL("expected an error");
        } catch (const Error& error) {
            CHECK(error.kind() == ErrorKind::operation_failed);
            CHECK(error.message() == "docker does not answer on the host (is the engine running?)");
        }
    }
}

TEST_CASE("docker::observer asks docker about each image once") {
    std::vector<std::string> images(500, "local/busybox:1");
    images.push_back("redis");
    images.push_back("docker.io/library/redis:latest");
    auto observer = docker::observer("shop", images);
    CHECK(observer.args == std::vector<std::string>{"shop", "local/busybox:1", "redis:latest"});
    // One `docker inspect` reads containers and images with calzion's template.
    CHECK(observer.script.find(R"(docker inspect --format "$inspect_format" $ids "$@")") != std::string::npos);
    CHECK(observer.script.rfind("inspect_format=" + util::shell_quote(docker::k_inspect_format) + "\n", 0) == 0);
}
