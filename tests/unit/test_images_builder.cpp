#include <doctest/doctest.h>

#include "recording_reporter.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "images/builder.hpp"
#include "fake_runner.hpp"
#include "util/error.hpp"

using namespace calzion;

namespace {

const std::string k_commit = "0123456789abcdef0123456789abcdef01234567";
const std::string k_image = "shop-web:0123456789ab";

using test::RecordingReporter;

render::RenderedService built_service(const std::string& name, const std::string& image) {
    render::RenderedService service;
    service.name = name;
    service.container = "shop-" + name;
    service.image = image;
    service.git = ".";
    return service;
}

images::Recipe recipe_for(const std::string& service) {
    images::Recipe recipe;
    recipe.service = service;
    recipe.repository = "/src/app";
    recipe.commit = k_commit;
    recipe.tree = k_commit;
    recipe.tag = "0123456789ab";
    return recipe;
}

plan::Action action_for(const render::RenderedService& service, plan::ActionKind kind, bool build) {
    plan::Action action;
    action.kind = kind;
    action.service = service.name;
    action.desired = &service;
    action.build = build;
    return action;
}

}  // namespace

TEST_CASE("images::build_images") {
    render::RenderedService web = built_service("web", k_image);
    render::RenderedService db = built_service("db", "postgres:16");
    db.git.reset();
    plan::Plan plan;
    plan.actions = {action_for(db, plan::ActionKind::create, false), action_for(web, plan::ActionKind::replace, true)};
    std::map<std::string, images::Recipe> recipes = {{"web", recipe_for("web")}};
    test::FakeRunner host;
    test::FakeRunner local;
    RecordingReporter reporter;
    local.on_prefix({"git", "-C", "/src/app", "archive"}, {0, "", "TAR STREAM", ""});

    SUBCASE("on the host: git archive here streams into docker build there") {
        images::build_images(plan, recipes, {host, local, nullptr}, reporter);
        CHECK(local.lines() == std::vector<std::string>{"git -C /src/app archive --format=tar " + k_commit});
        CHECK(host.lines() == std::vector<std::string>{"docker build --force-rm --tag " + k_image + " -"});
        CHECK(host.commands().front().input == "TAR STREAM");
        CHECK(reporter.lines == std::vector<std::string>{"fake web: build " + k_image + " on the host",
                                                         "fake web: built " + k_image});
    }
    SUBCASE("nothing marked to build: nothing runs") {
        plan.actions[1].build = false;
        images::build_images(plan, recipes, {host, local, nullptr}, reporter);
        CHECK(local.lines().empty());
        CHECK(host.lines().empty());
    }
    SUBCASE("a failed docker build names the service and shows its last lines") {
        host.on_prefix({"docker", "build"}, {1, "", "Step 1/2 : FROM local/busybox:1\n", "no such file: app.sh\n"});
        try {
            images::build_images(plan, recipes, {host, local, nullptr}, reporter);
            FAIL("no error");
        } catch (const Error& error) {
            CHECK(error.kind() == ErrorKind::operation_failed);
            CHECK(error.message() == "service \"web\": docker build failed (exit 1); its last lines:\n"
                                     "Step 1/2 : FROM local/busybox:1\nno such file: app.sh");
        }
        CHECK(reporter.lines.back().rfind("fake web: docker build failed (exit 1)", 0) == 0);
    }
    SUBCASE("git archive failing at once never starts docker build") {
        test::FakeRunner other_local;
        other_local.on_prefix({"git"}, {128, "", "", "fatal: not a valid object name\n"});
        CHECK_THROWS_WITH_AS(images::build_images(plan, recipes, {host, other_local, nullptr}, reporter),
                             "service \"web\": git archive failed (exit 128); its last lines:\n"
                             "fatal: not a valid object name",
                             Error);
        CHECK(host.lines().empty());
    }
    SUBCASE("git archive failing after some output: docker's image of a cut-off context is removed") {
        test::FakeRunner failing;
        failing.on_prefix({"git"}, {128, "", "PART OF A TAR", "fatal: read error\n"});
        CHECK_THROWS_AS(images::build_images(plan, recipes, {host, failing, nullptr}, reporter), Error);
        CHECK(host.lines() ==
              std::vector<std::string>{"docker build --force-rm --tag " + k_image + " -", "docker image rm " + k_image});
    }
    SUBCASE("--build-local: built here once for every host, then docker save | docker load") {
        local.on_prefix({"docker", "image", "inspect"}, {1, "", "", "Error: No such image\n"});
        local.on_prefix({"docker", "save"}, {0, "", "IMAGE TAR", ""});
        images::LocalImages images(local);
        test::FakeRunner second_host;
        images::build_images(plan, recipes, {host, local, &images}, reporter);
        images::build_images(plan, recipes, {second_host, local, &images}, reporter);
        CHECK(local.lines() == std::vector<std::string>{
                                   "docker image inspect --format {{.Id}} " + k_image,
                                   "git -C /src/app archive --format=tar " + k_commit,
                                   "docker build --force-rm --tag " + k_image + " -",
                                   "docker save " + k_image,
                                   "docker save " + k_image,
                               });
        CHECK(local.commands()[2].input == "TAR STREAM");
        for (auto* target : {&host, &second_host}) {
            CHECK(target->lines() == std::vector<std::string>{"docker load"});
            CHECK(target->commands().front().input == "IMAGE TAR");
        }
        CHECK(reporter.lines == std::vector<std::string>{
                                    "fake web: build " + k_image + " here",
                                    "fake web: send " + k_image + " (docker save | docker load)",
                                    "fake web: loaded " + k_image,
                                    "fake web: send " + k_image + " (docker save | docker load)",
                                    "fake web: loaded " + k_image,
                                });
    }
    SUBCASE("--build-local with the image already here: only sent") {
        local.on_prefix({"docker", "save"}, {0, "", "IMAGE TAR", ""});
        images::LocalImages images(local);
        images::build_images(plan, recipes, {host, local, &images}, reporter);
        CHECK(local.lines() ==
              std::vector<std::string>{"docker image inspect --format {{.Id}} " + k_image, "docker save " + k_image});
        CHECK(host.lines() == std::vector<std::string>{"docker load"});
    }
    SUBCASE("--build-local: a failed local build fails every host without building again") {
        local.on_prefix({"docker", "image", "inspect"}, {1, "", "", ""});
        local.on_prefix({"docker", "build"}, {1, "", "", "boom\n"});
        images::LocalImages images(local);
        test::FakeRunner second_host;
        CHECK_THROWS_WITH_AS(images::build_images(plan, recipes, {host, local, &images}, reporter),
                             "service \"web\": docker build failed (exit 1); its last lines:\nboom", Error);
        CHECK_THROWS_WITH_AS(images::build_images(plan, recipes, {second_host, local, &images}, reporter),
                             "service \"web\": docker build failed (exit 1); its last lines:\nboom", Error);
        CHECK(local.lines().size() == 3);
        CHECK(host.lines().empty());
        CHECK(second_host.lines().empty());
    }
    SUBCASE("anything a runner throws fails the service as an Error, keeping an Error's kind") {
        host.on_call([](const std::vector<std::string>& argv) { return argv.size() > 1 && argv[1] == "build"; },
                     [](const exec::Command&) -> exec::Result { throw std::runtime_error("out of file handles"); });
        CHECK_THROWS_WITH_AS(images::build_images(plan, recipes, {host, local, nullptr}, reporter),
                             "service \"web\": internal error: out of file handles", Error);
        CHECK(reporter.lines.back() == "fake web: internal error: out of file handles");
        test::FakeRunner lost;
        lost.on_call([](const std::vector<std::string>&) { return true; },
                     [](const exec::Command&) -> exec::Result {
                         throw Error(ErrorKind::unreachable, "connection lost").on_host("web1");
                     });
        try {
            images::build_images(plan, recipes, {lost, local, nullptr}, reporter);
            FAIL("no error");
        } catch (const Error& error) {
            CHECK(error.kind() == ErrorKind::unreachable);
            CHECK(error.host() == "web1");
            CHECK(error.message() == "service \"web\": connection lost");
        }
    }
    SUBCASE("a docker load that fails") {
        local.on_prefix({"docker", "save"}, {0, "", "IMAGE TAR", ""});
        host.on_prefix({"docker", "load"}, {1, "", "", "open /var/lib/docker/tmp: no space left on device\n"});
        images::LocalImages images(local);
        CHECK_THROWS_WITH_AS(images::build_images(plan, recipes, {host, local, &images}, reporter),
                             "service \"web\": docker load failed (exit 1); its last lines:\n"
                             "open /var/lib/docker/tmp: no space left on device",
                             Error);
    }
}

namespace {

// Builds of several images that can tell whether they overlapped: each
// docker build waits, for a bounded time, until `expected` builds have started.
struct OverlappingBuilds {
    explicit OverlappingBuilds(size_t count) : expected(count) {}

    exec::Result build(const exec::Command&) {
        std::unique_lock lock(mutex);
        ++builds;
        changed.notify_all();
        if (!changed.wait_for(lock, std::chrono::seconds(10), [&] { return builds >= expected; })) {
            overlapped = false;  // a regression ends here, not in a hang
        }
        return {0, "", "", ""};
    }

    size_t expected;
    std::mutex mutex;
    std::condition_variable changed;
    size_t builds = 0;
    bool overlapped = true;
};

}  // namespace

TEST_CASE("images::LocalImages builds each image once, different images concurrently") {
    test::FakeRunner local;
    local.on_prefix({"docker", "image", "inspect"}, {1, "", "", "Error: No such image\n"});
    local.on_prefix({"git"}, {0, "", "TAR STREAM", ""});
    images::LocalImages images(local);
    std::atomic<int> announced{0};
    auto ensure = [&](const std::string& image) {
        images.ensure(recipe_for("web"), image, local, [&] { ++announced; });
    };
    auto builds = [&] {
        auto lines = local.lines();
        return std::count_if(lines.begin(), lines.end(),
                             [](const std::string& line) { return line.rfind("docker build", 0) == 0; });
    };

    SUBCASE("two images: the second builds while the first is building") {
        OverlappingBuilds overlap(2);
        local.on_call([](const std::vector<std::string>& argv) { return argv.size() > 1 && argv[1] == "build"; },
                      [&](const exec::Command& command) { return overlap.build(command); });
        std::thread first(ensure, "shop-web:1");
        std::thread second(ensure, "shop-api:1");
        first.join();
        second.join();
        CHECK(overlap.overlapped);
        CHECK(builds() == 2);
        CHECK(announced == 2);
    }
    SUBCASE("one image asked for by several hosts at once: built once, every caller returns once it is there") {
        OverlappingBuilds overlap(1);
        local.on_call([](const std::vector<std::string>& argv) { return argv.size() > 1 && argv[1] == "build"; },
                      [&](const exec::Command& command) { return overlap.build(command); });
        std::vector<std::thread> hosts;
        for (int i = 0; i < 4; ++i) {
            hosts.emplace_back(ensure, "shop-web:1");
        }
        for (auto& host : hosts) {
            host.join();
        }
        CHECK(builds() == 1);
        CHECK(announced == 1);
    }
}

TEST_CASE("images::built_images: what a created or updated service runs, built from source") {
    render::RenderedService web = built_service("web", k_image);
    render::RenderedService db = built_service("db", "postgres:16");
    db.git.reset();
    render::RenderedService api = built_service("api", "shop-api:0123456789ab");
    render::RenderedService unknown = built_service("worker", "");  // its commit not known: nothing to send
    plan::Plan plan;
    plan.actions = {action_for(db, plan::ActionKind::create, false), action_for(web, plan::ActionKind::replace, false),
                    action_for(api, plan::ActionKind::unchanged, false),
                    action_for(unknown, plan::ActionKind::create, false)};
    CHECK(images::built_images(plan) == std::vector<images::BuiltImage>{{"web", k_image}});
    plan.actions[2].kind = plan::ActionKind::create;
    plan.actions[2].build = true;
    CHECK(images::built_images(plan) ==
          std::vector<images::BuiltImage>{{"web", k_image}, {"api", "shop-api:0123456789ab"}});
}

TEST_CASE("images::push_images") {
    const std::string image = "10.0.0.1:5000/shop_web:0123456789ab";
    test::FakeRunner manager("node1");
    RecordingReporter reporter;

    SUBCASE("each image pushed from the manager, one after the other") {
        images::push_images({{"web", image}, {"api", "10.0.0.1:5000/shop_api:0123456789ab"}}, manager, reporter);
        CHECK(manager.lines() == std::vector<std::string>{"docker push " + image,
                                                          "docker push 10.0.0.1:5000/shop_api:0123456789ab"});
        CHECK(reporter.lines == std::vector<std::string>{"node1 web: push " + image, "node1 web: pushed " + image,
                                                         "node1 api: push 10.0.0.1:5000/shop_api:0123456789ab",
                                                         "node1 api: pushed 10.0.0.1:5000/shop_api:0123456789ab"});
    }
    SUBCASE("a failed push names the service, shows docker's last lines and stops there") {
        manager.on_prefix({"docker", "push"}, {1, "", "The push refers to repository [10.0.0.1:5000/shop_web]\n",
                                               "Get \"https://10.0.0.1:5000/v2/\": http: server gave HTTP response "
                                               "to HTTPS client\n"});
        CHECK_THROWS_WITH_AS(images::push_images({{"web", image}, {"api", "x/api:1"}}, manager, reporter),
                             "service \"web\": docker push failed (exit 1); its last lines:\n"
                             "The push refers to repository [10.0.0.1:5000/shop_web]\n"
                             "Get \"https://10.0.0.1:5000/v2/\": http: server gave HTTP response to HTTPS client",
                             Error);
        CHECK(manager.lines() == std::vector<std::string>{"docker push " + image});
        CHECK(reporter.lines.back().rfind("node1 web: docker push failed (exit 1)", 0) == 0);
    }
}

TEST_CASE("images::load_images") {
    const std::string image = "shop_web:0123456789ab";
    test::FakeRunner manager("node1");
    test::FakeRunner node2("node2");
    test::FakeRunner node3("node3");
    RecordingReporter reporter;
    manager.on_prefix({"docker", "save"}, {0, "", "IMAGE TAR", ""});
    node2.on_prefix({"docker", "image", "inspect"}, {1, "", "", "Error: No such image\n"});

    SUBCASE("docker save on the manager into docker load on each node that lacks the image") {
        images::load_images({{"web", image}}, manager, {&node2, &node3}, true, reporter);
        CHECK(manager.lines() == std::vector<std::string>{"docker save " + image});
        CHECK(node2.lines() ==
              std::vector<std::string>{"docker image inspect --format {{.Id}} " + image, "docker load"});
        CHECK(node2.commands().back().input == "IMAGE TAR");
        CHECK(node3.lines() == std::vector<std::string>{"docker image inspect --format {{.Id}} " + image});
        CHECK(reporter.lines == std::vector<std::string>{
                                    "node2 web: load " + image + " from node1 (docker save | docker load)",
                                    "node2 web: loaded " + image});
    }
    SUBCASE("without asking first (a dry run): to every node") {
        images::load_images({{"web", image}}, manager, {&node2, &node3}, false, reporter);
        CHECK(manager.lines() == std::vector<std::string>{"docker save " + image, "docker save " + image});
        CHECK(node2.lines() == std::vector<std::string>{"docker load"});
        CHECK(node3.lines() == std::vector<std::string>{"docker load"});
    }
    SUBCASE("a node whose load fails: named, after every node has ended") {
        node3.on_prefix({"docker", "image", "inspect"}, {1, "", "", "Error: No such image\n"});
        node3.on_prefix({"docker", "load"}, {1, "", "", "write /var/lib/docker/tmp: no space left on device\n"});
        CHECK_THROWS_WITH_AS(images::load_images({{"web", image}}, manager, {&node2, &node3}, true, reporter),
                             "service \"web\": loading shop_web:0123456789ab on node \"node3\": docker load failed "
                             "(exit 1); its last lines:\nwrite /var/lib/docker/tmp: no space left on device",
                             Error);
        CHECK(node2.lines().back() == "docker load");  // the other node still got it
        CHECK(std::count(reporter.lines.begin(), reporter.lines.end(), "node2 web: loaded " + image) == 1);
        CHECK(std::any_of(reporter.lines.begin(), reporter.lines.end(), [](const std::string& line) {
            return line.rfind("node3 web: docker load failed (exit 1)", 0) == 0;
        }));
    }
    SUBCASE("no node, or no image: nothing runs") {
        images::load_images({{"web", image}}, manager, {}, true, reporter);
        images::load_images({}, manager, {&node2}, true, reporter);
        CHECK(manager.lines().empty());
        CHECK(node2.lines().empty());
    }
}
