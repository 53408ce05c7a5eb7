// router::sync against a recording fake runner: which commands it runs, in
// which order, for each state a host's router can be in.
#include <doctest/doctest.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "fake_runner.hpp"
#include "render/deployment_json.hpp"
#include "router/config.hpp"
#include "router/container.hpp"
#include "router/scripts.hpp"
#include "router/sync.hpp"
#include "util/error.hpp"
#include "util/sha256.hpp"

using namespace calzion;

namespace {

const std::string k_lock_script = router::lock_and_observe_argv("", "", 0)[2];

// A command as one readable line; host scripts by what they do.
std::string describe(const std::vector<std::string>& argv) {
    std::vector<std::pair<std::string, std::string>> scripts = {
        {router::write_config_argv("")[2], "write config"},
        {router::replace_config_argv("", "", "")[2], "replace config"},
        {router::remove_config_argv("")[2], "remove config"},
        {router::check_router_argv("", "")[2], "check router"}};
    if (argv.size() > 2 && argv[0] == "sh" && argv[2] == k_lock_script) {
        return "lock and observe";
    }
    std::string line;
    size_t from = 0;
    for (const auto& [script, name] : scripts) {
        if (argv.size() > 2 && argv[0] == "sh" && argv[2] == script) {
            line = name;
            from = 4;
        }
    }
    for (size_t i = from; i < argv.size(); ++i) {
        line += (line.empty() ? "" : " ") + argv[i];
    }
    return line;
}

std::vector<std::string> lines_of(const test::FakeRunner& runner) {
    std::vector<std::string> lines;
    for (const auto& command : runner.commands()) {
        lines.push_back(describe(command.argv));
    }
    return lines;
}

// The revision record of `instance` with its service "web" routed by `domains`
// (port 8000).
std::string revision_of(const std::string& instance, const std::vector<std::string>& domains) {
    render::RenderedService web;
    web.name = "web";
    web.container = instance + "-web";
    for (const auto& domain : domains) {
        web.routes.push_back({domain, 8000});
    }
    render::Deployment deployment{instance, "cz-" + instance, 1, {web}};
    nlohmann::json record = {{"deployment", nlohmann::json::parse(render::deployment_to_json(deployment).dump())}};
    return record.dump() + "\n";
}

// What a host's router looks like to sync.
struct HostRouter {
    std::vector<std::pair<std::string, std::vector<std::string>>> instances;  // instance -> domains
    std::string config_sha256;
    std::string container;  // "running HASH NETWORK..." or empty when there is none
};

const router::SyncOptions k_options{"local/nginx:router", 8080, 60};
const router::ContainerSpec k_spec{"local/nginx:router", 8080, "/srv/calzion/router"};

// The routes of `instances` as sync will render them.
std::vector<router::Route> routes_of(const HostRouter& host) {
    std::vector<router::Route> routes;
    for (const auto& [instance, domains] : host.instances) {
        for (const auto& domain : domains) {
            routes.push_back({domain, 8000, instance, "web", instance + "-web", "cz-" + instance});
        }
    }
    return routes;
}

void answer_observation(test::FakeRunner& runner, const HostRouter& host) {
    std::string out = "@@calzion locked\n@@calzion state_dir\n/srv/calzion\n@@calzion format\n1\n@@calzion config\n" +
                      host.config_sha256 + "\n";
    for (const auto& [instance, domains] : host.instances) {
        out += "@@calzion instance " + instance + " 1\n" + revision_of(instance, domains);
    }
    out += "@@calzion container\n";
    if (!host.container.empty()) {
        out += "/calzion-router " + host.container + "\n";
    }
    out += "@@calzion end\n";
    runner.on([](const std::vector<std::string>& argv) { return argv.size() > 2 && argv[2] == k_lock_script; },
              {0, "", out, ""});
}

std::string input_of(const test::FakeRunner& runner, const std::string& line_start) {
    for (const auto& command : runner.commands()) {
        if (describe(command.argv).rfind(line_start, 0) == 0) {
            return command.input;
        }
    }
    return "(no such command)";
}

}  // namespace

TEST_CASE("router::sync") {
    test::FakeRunner runner;
    const std::string hash = router::spec_hash(k_spec);
    const std::string run_line =
        "docker run -d --name calzion-router --label io.calzion.router=1 --label io.calzion.spec-hash=" + hash +
        " --restart unless-stopped --network bridge --pull missing --publish 8080:80 --volume "
        "/srv/calzion/router:/etc/calzion:ro local/nginx:router nginx -c /etc/calzion/nginx.conf";
    const std::string check_line = "check router calzion-router /etc/calzion/nginx.conf";

    SUBCASE("no routes and no router: nothing to do but look") {
        answer_observation(runner, {{{"blog", {}}}, "", ""});
        router::SyncResult result = router::sync(runner, "", k_options);
        CHECK(lines_of(runner) == std::vector<std::string>{"lock and observe"});
        CHECK_FALSE(result.changed());
    }
    SUBCASE("no routes left: the container and its configuration go") {
        answer_observation(runner, {{}, "abc", "running " + hash + " bridge cz-shop"});
        router::SyncResult result = router::sync(runner, "", k_options);
        CHECK(lines_of(runner) == std::vector<std::string>{"lock and observe", "docker rm --force calzion-router",
                                                           "remove config /srv/calzion/router"});
        CHECK(result.removed);
        CHECK(result.domains.empty());
    }
    SUBCASE("the first routes: configuration, then the container, its networks, and a check") {
        HostRouter host{{{"shop", {"shop.example.test"}}, {"blog", {"blog.example.test", "www.blog.example.test"}}},
                        "",
                        ""};
        answer_observation(runner, host);
        router::SyncResult result = router::sync(runner, "", k_options);
        CHECK(lines_of(runner) ==
              std::vector<std::string>{"lock and observe", "write config /srv/calzion/router", run_line,
                                       "docker network connect cz-blog calzion-router",
                                       "docker network connect cz-shop calzion-router", check_line});
        CHECK(input_of(runner, "write config") == router::render_config(routes_of(host)));
        CHECK(result.created);
        CHECK_FALSE(result.reloaded);
        CHECK(result.connected == std::vector<std::string>{"cz-blog", "cz-shop"});
        CHECK(result.domains ==
              std::vector<std::string>{"blog.example.test", "shop.example.test", "www.blog.example.test"});
    }
    SUBCASE("a new domain: join its network, replace the configuration, then leave networks no route needs") {
        HostRouter host{{{"shop", {"shop.example.test"}}, {"blog", {"blog.example.test"}}},
                        "old",
                        "running " + hash + " bridge cz-gone cz-shop"};
        answer_observation(runner, host);
        router::SyncResult result = router::sync(runner, "", k_options);
        CHECK(lines_of(runner) == std::vector<std::string>{"lock and observe",
                                                           "docker network connect cz-blog calzion-router",
                                                           "replace config /srv/calzion/router calzion-router "
                                                           "/etc/calzion",
                                                           "docker network disconnect cz-gone calzion-router"});
        CHECK(input_of(runner, "replace config") == router::render_config(routes_of(host)));
        CHECK(result.reloaded);
        CHECK_FALSE(result.created);
        CHECK(result.connected == std::vector<std::string>{"cz-blog"});
        CHECK(result.disconnected == std::vector<std::string>{"cz-gone"});
    }
    SUBCASE("nothing changed: nothing is done") {
        HostRouter host{{{"shop", {"shop.example.test"}}}, "", "running " + hash + " bridge cz-shop"};
        host.config_sha256 = util::sha256_hex(router::render_config(routes_of(host)));
        answer_observation(runner, host);
        router::SyncResult result = router::sync(runner, "", k_options);
        CHECK(lines_of(runner) == std::vector<std::string>{"lock and observe"});
        CHECK_FALSE(result.changed());
        CHECK(result.domains == std::vector<std::string>{"shop.example.test"});
    }
    SUBCASE("a stopped router is started") {
        HostRouter host{{{"shop", {"shop.example.test"}}}, "", "exited " + hash + " bridge cz-shop"};
        host.config_sha256 = util::sha256_hex(router::render_config(routes_of(host)));
        answer_observation(runner, host);
        CHECK(router::sync(runner, "", k_options).started);
        CHECK(lines_of(runner) == std::vector<std::string>{"lock and observe", "docker start calzion-router", check_line});
    }
    SUBCASE("another image or port: the new router is tried beside the old one, then takes the port") {
        HostRouter host{{{"shop", {"shop.example.test"}}}, "", "running another-hash bridge cz-shop"};
        host.config_sha256 = util::sha256_hex(router::render_config(routes_of(host)));
        answer_observation(runner, host);
        CHECK(router::sync(runner, "", k_options).created);
        std::string trial_line =
            "docker run -d --name calzion-router-next --label io.calzion.router=1 --label io.calzion.spec-hash=" +
            hash +
            " --restart unless-stopped --network bridge --pull missing --volume "
            "/srv/calzion/router:/etc/calzion:ro local/nginx:router nginx -c /etc/calzion/nginx.conf";
        CHECK(lines_of(runner) ==
              std::vector<std::string>{"lock and observe", "docker rm --force calzion-router-next", trial_line,
                                       "docker network connect cz-shop calzion-router-next",
                                       "check router calzion-router-next /etc/calzion/nginx.conf",
                                       "docker rm --force calzion-router-next", "docker rm --force calzion-router-old",
                                       "docker rename calzion-router calzion-router-old",
                                       "docker stop calzion-router-old", run_line,
                                       "docker network connect cz-shop calzion-router", check_line,
                                       "docker rm --force calzion-router-old"});
    }
    SUBCASE("a new router that does not serve on trial is removed; the old one is not touched, exit 1") {
        answer_observation(runner, {{{"shop", {"shop.example.test"}}}, "", "running another-hash bridge cz-shop"});
        runner.on_prefix({"docker", "run", "-d", "--name", "calzion-router-next"},
                         {125, "", "", "Unable to find image 'local/nginx:nope' locally\n"});
        CHECK_THROWS_WITH_AS(router::sync(runner, "", k_options),
                             "starting the router (image \"local/nginx:router\") failed: Unable to find image "
                             "'local/nginx:nope' locally; the current router keeps serving",
                             Error);
        auto lines = lines_of(runner);
        CHECK(lines.back() == "docker rm --force calzion-router-next");
        CHECK(std::none_of(lines.begin(), lines.end(),
                           [](const std::string& line) { return line.find(" calzion-router-old") != std::string::npos; }));
    }
    SUBCASE("a new router that does not serve once it has the port gives it back to the old one, exit 1") {
        answer_observation(runner, {{{"shop", {"shop.example.test"}}}, "", "running another-hash bridge cz-shop"});
        runner.on([](const std::vector<std::string>& argv) { return describe(argv) == "check router calzion-router /etc/calzion/nginx.conf"; },
                  {5, "", "", "nginx has no worker 10 s after it started\n"});
        CHECK_THROWS_WITH_AS(router::sync(runner, "", k_options),
                             "the router did not start serving: nginx has no worker 10 s after it started; the "
                             "previous router serves again",
                             Error);
        auto lines = lines_of(runner);
        CHECK(std::vector<std::string>(lines.end() - 3, lines.end()) ==
              std::vector<std::string>{"docker rm --force calzion-router",
                                       "docker rename calzion-router-old calzion-router", "docker start calzion-router"});
    }
    SUBCASE("nginx refuses the new configuration: the error says so, and the networks stay") {
        answer_observation(runner, {{{"shop", {"shop.example.test"}}}, "old", "running " + hash + " bridge cz-gone"});
        runner.on([](const std::vector<std::string>& argv) { return describe(argv).rfind("replace config", 0) == 0; },
                  {3, "", "", "nginx: [emerg] unknown directive \"x\"\nnginx: configuration file test failed\n"});
        try {
            router::sync(runner, "", k_options);
            FAIL("expected the refusal to be an error");
        } catch (const Error& error) {
            CHECK(error.kind() == ErrorKind::operation_failed);
            CHECK(error.message() ==
                  "nginx refused the router's new configuration, the current one keeps serving: nginx: [emerg] "
                  "unknown directive \"x\"; nginx: configuration file test failed");
        }
        CHECK(lines_of(runner).back().rfind("replace config", 0) == 0);
    }
    SUBCASE("a new router whose image's nginx refuses the configuration or never serves: the error says which") {
        answer_observation(runner, {{{"shop", {"shop.example.test"}}}, "", ""});
        runner.on([](const std::vector<std::string>& argv) { return describe(argv).rfind("check router", 0) == 0; },
                  {3, "", "", "nginx: [emerg] unknown directive \"daemon\"\n"});
        CHECK_THROWS_WITH_AS(router::sync(runner, "", k_options),
                             "nginx refused the router's configuration: nginx: [emerg] unknown directive \"daemon\"",
                             Error);
    }
    SUBCASE("a reload nginx does not take up in time is an error") {
        answer_observation(runner, {{{"shop", {"shop.example.test"}}}, "old", "running " + hash + " bridge cz-shop"});
        runner.on([](const std::vector<std::string>& argv) { return describe(argv).rfind("replace config", 0) == 0; },
                  {5, "", "", "nginx did not take up the new configuration within 10 s\n"});
        CHECK_THROWS_WITH_AS(router::sync(runner, "", k_options),
                             "the router did not reload its new configuration: nginx did not take up the new "
                             "configuration within 10 s",
                             Error);
    }
    SUBCASE("a domain two instances claim changes nothing") {
        answer_observation(runner, {{{"a", {"x.example.test"}}, {"b", {"x.example.test"}}}, "", ""});
        try {
            router::sync(runner, "", k_options);
            FAIL("expected the duplicate domain to be an error");
        } catch (const Error& error) {
            CHECK(error.kind() == ErrorKind::invalid_data);
            CHECK(error.message() ==
                  "domain \"x.example.test\" is routed by both instance \"a\" (service \"web\") and instance \"b\" "
                  "(service \"web\"): a domain can go to one service only");
        }
        CHECK(lines_of(runner) == std::vector<std::string>{"lock and observe"});
    }
    SUBCASE("an invalid image or port is refused before anything runs") {
        router::SyncOptions options = k_options;
        options.image = "Not An Image";
        CHECK_THROWS_AS(router::sync(runner, "", options), Error);
        options = k_options;
        options.http_port = 0;
        CHECK_THROWS_AS(router::sync(runner, "", options), Error);
        CHECK(runner.commands().empty());
    }
}
