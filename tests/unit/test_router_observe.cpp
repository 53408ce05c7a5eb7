// What the router learns from a host in one round trip: the routes of every
// instance's current revision, its configuration's hash and its container. The
// host scripts run for real with sh through the local runner (docker is a
// stand-in that prints nothing, see TempStateDir).
#include <doctest/doctest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "exec/local_runner.hpp"
#include "render/deployment_json.hpp"
#include "router/observe.hpp"
#include "state_dir.hpp"
#include "template_helpers.hpp"
#include "util/error.hpp"

using namespace calzion;
namespace fs = std::filesystem;

namespace {

// A revision record of `instance` as a host keeps it, its web service routed
// by `routes`.
std::string revision_of(const std::string& instance, const std::vector<render::Route>& routes) {
    render::Deployment deployment = testing::render_yaml("web: {image: nginx}\ndb: {image: postgres}\n", instance);
    for (auto& service : deployment.services) {
        if (service.name == "web") {
            service.routes = routes;
        }
    }
    nlohmann::json record = {{"format", 1}, {"revision", 1}, {"status", "succeeded"}};
    record["deployment"] = nlohmann::json::parse(render::deployment_to_json(deployment).dump());
    return record.dump() + "\n";
}

std::string describe(const router::Route& route) {
    return route.domain + " -> " + route.container + ":" + std::to_string(route.port) + " on " + route.network +
           " (" + route.instance + "/" + route.service + ")";
}

std::vector<std::string> described(const std::vector<router::Route>& routes) {
    std::vector<std::string> out;
    for (const auto& route : routes) {
        out.push_back(describe(route));
    }
    return out;
}

std::string problem_in(const std::string& output) {
    try {
        router::parse_observation(output, "host1");
    } catch (const Error& error) {
        return error.message();
    }
    return "no error";
}

const std::string k_head = "@@calzion state_dir\n/srv/calzion\n@@calzion format\n1\n";

}  // namespace

TEST_CASE("router::parse_observation") {
    SUBCASE("routes of every instance, the configuration's hash and the router container") {
        router::Observation seen = router::parse_observation(
            k_head + "@@calzion config\nabc123\n@@calzion instance shop 1\n" +
            revision_of("shop", {{"shop.example.test", 8000}, {"www.shop.example.test", 8000}}) +
            "@@calzion instance blog 3\n" + revision_of("blog", {{"blog.example.test", 80}}) +
            "@@calzion container\n/old-router exited x bridge\n/calzion-router running f00d bridge cz-shop\n"
            "@@calzion end\n",
            "host1");
        CHECK(seen.state_dir == "/srv/calzion");
        CHECK(seen.router_dir() == "/srv/calzion/router");
        CHECK(seen.config_sha256 == "abc123");
        REQUIRE(seen.container.has_value());
        CHECK(seen.container->status == "running");
        CHECK(seen.container->spec_hash == "f00d");
        CHECK(seen.container->networks == std::set<std::string>{"bridge", "cz-shop"});
        CHECK(described(seen.routes) == std::vector<std::string>{
                                            "blog.example.test -> blog_web:80 on cz-blog (blog/web)",
                                            "shop.example.test -> shop_web:8000 on cz-shop (shop/web)",
                                            "www.shop.example.test -> shop_web:8000 on cz-shop (shop/web)"});
    }
    SUBCASE("nothing there yet: no configuration, no container, no routes") {
        router::Observation seen =
            router::parse_observation("@@calzion state_dir\n/srv/calzion\n@@calzion format\n@@calzion config\n"
                                      "@@calzion container\n@@calzion end\n",
                                      "host1");
        CHECK(seen.config_sha256.empty());
        CHECK_FALSE(seen.container.has_value());
        CHECK(seen.routes.empty());
    }
    SUBCASE("revisions without routes, unreadable ones and directories that are no instance give none") {
        nlohmann::json old = nlohmann::json::parse(revision_of("old", {}));
        for (auto& service : old["deployment"]["services"]) {
            service.erase("routes");
        }
        router::Observation seen = router::parse_observation(
            k_head + "@@calzion config\n@@calzion instance old 1\n" + old.dump() + "\n@@calzion instance gone 2\n\n" +
                "@@calzion instance Not_An.Instance 1\n{}\n@@calzion container\n@@calzion end\n",
            "host1");
        CHECK(seen.routes.empty());
    }
    SUBCASE("a revision that is not what calzion writes is refused, naming the file, the host and the field") {
        std::string tail = "@@calzion container\n@@calzion end\n";
        std::string head = k_head + "@@calzion instance shop 4\n";
        std::string unreadable =
            "the revision file \"/srv/calzion/instances/shop/revisions/4.json\" on \"host1\" cannot be read: ";
        CHECK(problem_in(head + "{\"deployment\": \n" + tail) == unreadable + "it is not a revision document");
        CHECK(problem_in(head + "{\"format\": 1}\n" + tail) == unreadable + "it is not a revision document");
        nlohmann::json bad = nlohmann::json::parse(revision_of("shop", {{"a.example.test", 80}}));
        nlohmann::json& services = bad["deployment"]["services"];
        size_t web = services[0]["name"] == "web" ? 0 : 1;
        std::string at = "invalid deployment document: \"services[" + std::to_string(web) + "]";
        services[web]["routes"][0]["port"] = "80";
        CHECK(problem_in(head + bad.dump() + "\n" + tail) ==
              unreadable + at + ".routes[0].port\" must be a whole number from 0 to 1000000000");
        for (int port : {0, 65536}) {
            services[web]["routes"][0]["port"] = port;
            CHECK(problem_in(head + bad.dump() + "\n" + tail) ==
                  unreadable + at + ".routes[0].port\" must be a port number from 1 to 65535");
        }
        services[web]["routes"] = "shop.example.test";
        CHECK(problem_in(head + bad.dump() + "\n" + tail) == unreadable + at + ".routes\" must be a list");
        services[web].erase("container");
        CHECK(problem_in(head + bad.dump() + "\n" + tail) == unreadable + at + ".container\" is missing");
    }
    SUBCASE("docker not answering, a cut answer and a newer state format are errors") {
        CHECK(problem_in(k_head + "@@calzion config\n@@calzion docker-failed\n") ==
              "docker on the host did not answer (is the engine running?)");
        CHECK(problem_in(k_head + "@@calzion config\n@@calzion container\n") ==
              "the host's answer about the router was cut short");
        CHECK(problem_in("@@calzion state_dir\n/srv\n@@calzion format\n2\n@@calzion end\n").find("has format 2") !=
              std::string::npos);
    }
}

TEST_CASE("router::collect_routes") {
    test::TempStateDir state("router-observe");
    exec::LocalRunner runner;

    SUBCASE("an empty state directory has no routes") {
        CHECK(router::collect_routes(runner, state.dir()).empty());
    }
    SUBCASE("the current revision of every instance, in one round trip") {
        state.write("instances/shop/current", "2\n");
        state.write("instances/shop/revisions/1.json", revision_of("shop", {{"old.example.test", 8000}}));
        state.write("instances/shop/revisions/2.json", revision_of("shop", {{"shop.example.test", 8000}}));
        state.write("instances/blog/current", "1\n");
        state.write("instances/blog/revisions/1.json", revision_of("blog", {{"blog.example.test", 80}}));
        // Destroyed (records gone, data kept), and never deployed: no routes.
        state.write("instances/gone/volumes/data/file", "x");
        state.write("instances/new/lock/pid", "1");
        // A current that names no revision file (being destroyed): none either.
        state.write("instances/half/current", "3\n");
        CHECK(described(router::collect_routes(runner, state.dir())) ==
              std::vector<std::string>{"blog.example.test -> blog_web:80 on cz-blog (blog/web)",
                                       "shop.example.test -> shop_web:8000 on cz-shop (shop/web)"});
    }
    SUBCASE("the configuration's hash is sha256sum's") {
        state.write("router/nginx.conf", "events {}\n");
        auto [lock, seen] = router::lock_and_observe(runner, state.dir(), 0);
        // sha256 of "events {}\n"
        CHECK(seen.config_sha256 == "b2496c33033eadfe85d1dcdfea8cb6af5fb63033d3fd08898a5fd76199aa5443");
    }
}

TEST_CASE("router::lock_and_observe") {
    test::TempStateDir state("router-lock");
    exec::LocalRunner runner;
    auto [first, seen] = router::lock_and_observe(runner, state.dir(), 0);
    CHECK(seen.state_dir == state.dir());
    CHECK(fs::is_directory(fs::path(state.dir()) / "router/lock"));

    SUBCASE("a second holder is refused with exit code 75, naming the first") {
        try {
            router::lock_and_observe(runner, state.dir(), 0);
            FAIL("expected the router lock to be held");
        } catch (const Error& error) {
            CHECK(error.kind() == ErrorKind::lock_held);
            CHECK(error.message().find("the router is being changed by ") == 0);
            CHECK(error.message().find("(router sync since ") != std::string::npos);
        }
    }
    SUBCASE("released, the host removed it and it can be taken again") {
        first->release();
        CHECK_FALSE(fs::exists(fs::path(state.dir()) / "router/lock"));
        CHECK(router::lock_and_observe(runner, state.dir(), 0).first != nullptr);
    }
}
