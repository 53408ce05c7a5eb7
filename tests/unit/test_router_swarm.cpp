// router::sync_swarm against a recording fake manager: which commands it runs,
// in which order, for each state a swarm's router can be in; and the parsers
// of what a manager says.
#include <doctest/doctest.h>

#include <map>

#include <nlohmann/json.hpp>

#include "fake_runner.hpp"
#include "render/deployment_json.hpp"
#include "router/config.hpp"
#include "router/observe.hpp"
#include "router/scripts.hpp"
#include "router/swarm_observe.hpp"
#include "router/swarm_service.hpp"
#include "router/swarm_sync.hpp"
#include "router/sync.hpp"
#include "util/error.hpp"

using namespace calzion;

namespace {

const std::string k_lock_script = router::lock_and_observe_argv("", "", 0)[2];
const std::string k_observe_script = router::swarm_observe_argv()[2];
const std::string k_wait_script = router::swarm_wait_argv(std::nullopt, "", 0, {})[2];
const std::string k_wait_removed_script = router::swarm_wait_removed_argv(0, {})[2];

bool runs(const std::vector<std::string>& argv, const std::string& script) {
    return argv.size() > 2 && argv[0] == "sh" && argv[2] == script;
}

// A command as one readable line; host scripts by what they do, with their
// arguments.
std::string describe(const std::vector<std::string>& argv) {
    std::vector<std::pair<std::string, std::string>> scripts = {{k_lock_script, "lock and observe"},
                                                                {k_observe_script, "observe swarm"},
                                                                {k_wait_script, "wait"},
                                                                {k_wait_removed_script, "wait removed"},
                                                                {router::remove_config_argv("")[2], "remove config"}};
    for (const auto& [script, name] : scripts) {
        if (runs(argv, script)) {
            if (name == "lock and observe" || name == "observe swarm") {
                return name;
            }
            std::string line = name;
            for (size_t i = 4; i < argv.size(); ++i) {
                line += " " + (argv[i].empty() ? std::string("''") : argv[i]);
            }
            return line;
        }
    }
    std::string line;
    for (const auto& word : argv) {
        line += (line.empty() ? "" : " ") + word;
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

std::string input_of(const test::FakeRunner& runner, const std::string& line_start) {
    for (const auto& command : runner.commands()) {
        if (describe(command.argv).rfind(line_start, 0) == 0) {
            return command.input;
        }
    }
    return "(no such command)";
}

// One instance recorded on the manager: its service "web" (port 8000) routed
// by `domains`, run by Swarm or by plain docker.
struct Recorded {
    std::string instance;
    std::vector<std::string> domains;
    bool swarm = true;
};

std::string revision_of(const Recorded& recorded) {
    render::RenderedService web;
    web.name = "web";
    web.container = recorded.instance + "_web";
    for (const auto& domain : recorded.domains) {
        web.routes.push_back({domain, 8000});
    }
    if (recorded.swarm) {
        web.swarm = render::SwarmSpec{};
    }
    render::Deployment deployment{recorded.instance, "cz-" + recorded.instance, 1, {web}};
    nlohmann::json record = {{"deployment", nlohmann::json::parse(render::deployment_to_json(deployment).dump())}};
    return record.dump() + "\n";
}

// The routes sync_swarm renders for the swarm instances of `instances`.
std::vector<router::Route> routes_of(const std::vector<Recorded>& instances) {
    std::vector<router::Route> routes;
    for (const auto& recorded : instances) {
        for (const auto& domain : recorded.domains) {
            if (recorded.swarm) {
                routes.push_back({domain, 8000, recorded.instance, "web", recorded.instance + "_web",
                                  "cz-" + recorded.instance});
            }
        }
    }
    return routes;
}

// The manager's state directory, its own router container ("" for none).
void answer_lock(test::FakeRunner& runner, const std::vector<Recorded>& instances,
                 const std::string& container = "") {
    std::string out = "@@calzion locked\n@@calzion state_dir\n/srv/calzion\n@@calzion format\n1\n@@calzion config\n\n";
    for (const auto& recorded : instances) {
        out += "@@calzion instance " + recorded.instance + " 1\n" + revision_of(recorded);
    }
    out += "@@calzion container\n";
    if (!container.empty()) {
        out += "/calzion-router " + container + "\n";
    }
    out += "@@calzion end\n";
    runner.on([](const std::vector<std::string>& argv) { return runs(argv, k_lock_script); }, {0, "", out, ""});
}

// The router's service as `docker service inspect` prints it (the parts
// calzion reads).
struct Service {
    std::string image = "local/nginx:router";
    int port = 8080;
    std::string config;
    std::vector<std::string> network_ids;
    std::string hash;
    std::string update_started = "2026-12-01T10:00:00.5Z";
    bool global = true;
};

std::string service_json(const Service& service) {
    nlohmann::json networks = nlohmann::json::array();
    for (const auto& id : service.network_ids) {
        networks.push_back({{"Target", id}});
    }
    nlohmann::json mode = service.global ? nlohmann::json{{"Global", nlohmann::json::object()}}
                                         : nlohmann::json{{"Replicated", {{"Replicas", 1}}}};
    nlohmann::json document = {
        {"ID", "svc1"},
        {"Spec",
         {{"Name", "calzion-router"},
          {"Labels", {{"io.calzion.router", "1"}}},
          {"TaskTemplate",
           {{"ContainerSpec",
             {{"Image", service.image},
              {"Labels", {{"io.calzion.spec-hash", service.hash}}},
              {"Args", {"nginx", "-c", "/etc/calzion/nginx.conf"}},
              {"Configs",
               {{{"File", {{"Name", "/etc/calzion/nginx.conf"}, {"Mode", 292}}},
                 {"ConfigID", "cfg1"},
                 {"ConfigName", service.config}}}}}},
            {"Placement", {{"Constraints", {"node.labels.io.calzion.edge==true"}}}},
            {"Networks", networks}}},
          {"Mode", mode},
          {"EndpointSpec",
           {{"Mode", "vip"},
            {"Ports",
             {{{"Protocol", "tcp"}, {"TargetPort", 80}, {"PublishedPort", service.port}, {"PublishMode", "host"}}}}}}}},
        {"UpdateStatus", {{"State", "completed"}, {"StartedAt", service.update_started}}}};
    return nlohmann::json::array({document}).dump(4) + "\n";
}

// What the manager says about its swarm.
struct Swarm {
    std::vector<std::string> nodes = {"n1 ready active 10.0.0.1 node1 ", "n2 ready active 10.0.0.2 node2 ",
                                      "n3 ready active 10.0.0.3 node3 "};
    std::map<std::string, std::string> networks = {{"cz-shop", "netshop"}, {"cz-blog", "netblog"}};
    std::string service;  // service_json(...) or empty
    std::vector<std::string> configs;
};

std::string swarm_output(const Swarm& swarm) {
    std::string out = "@@calzion swarm\nactive true n1\n@@calzion nodes\n";
    for (const auto& node : swarm.nodes) {
        out += node + "\n";
    }
    out += "@@calzion networks\n";
    for (const auto& [name, id] : swarm.networks) {
        out += id + " " + name + "\n";
    }
    out += "@@calzion service\n" + swarm.service + "@@calzion configs\n";
    for (const auto& name : swarm.configs) {
        out += name + "\n";
    }
    return out + "@@calzion end\n";
}

void answer_swarm(test::FakeRunner& runner, const Swarm& swarm) {
    runner.on([](const std::vector<std::string>& argv) { return runs(argv, k_observe_script); },
              {0, "", swarm_output(swarm), ""});
}

void answer_waits(test::FakeRunner& runner, const std::string& output = "converged\n\n", int exit_code = 0) {
    runner.on([](const std::vector<std::string>& argv) { return runs(argv, k_wait_script); },
              {exit_code, "", output, ""});
    runner.on([](const std::vector<std::string>& argv) { return runs(argv, k_wait_removed_script); },
              {0, "", "removed\n", ""});
}

const router::SyncOptions k_options{"local/nginx:router", 8080, 60};

// The spec sync_swarm wants for the swarm instances of `instances`.
router::SwarmRouterSpec spec_of(const std::vector<Recorded>& instances) {
    router::SwarmRouterSpec spec{"local/nginx:router", 8080,
                                 router::swarm_config_name(router::render_config(routes_of(instances))), {}};
    for (const auto& route : routes_of(instances)) {
        spec.networks.insert(route.network);
    }
    return spec;
}

std::string error_of(const std::function<void()>& work) {
    try {
        work();
    } catch (const Error& error) {
        return error.message();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("router::swarm_config_name and the create argv") {
    CHECK(router::swarm_config_name("abc") == "calzion-router-ba7816bf");
    router::SwarmRouterSpec spec{"local/nginx:router", 8080, "calzion-router-0123abcd", {"cz-shop", "cz-blog"}};
    CHECK(router::service_create_argv(spec) ==
          std::vector<std::string>{"docker",
                                   "service",
                                   "create",
                                   "--detach",
                                   "--name",
                                   "calzion-router",
                                   "--label",
                                   "io.calzion.router=1",
                                   "--container-label",
                                   "io.calzion.spec-hash=" + router::swarm_spec_hash(spec),
                                   "--mode",
                                   "global",
                                   "--constraint",
                                   "node.labels.io.calzion.edge==true",
                                   "--publish",
                                   "published=8080,target=80,mode=host",
                                   "--config",
                                   "source=calzion-router-0123abcd,target=/etc/calzion/nginx.conf,mode=0444",
                                   "--network",
                                   "cz-blog",
                                   "--network",
                                   "cz-shop",
                                   "--update-parallelism",
                                   "1",
                                   "--update-order",
                                   "stop-first",
                                   "--update-failure-action",
                                   "rollback",
                                   "--rollback-order",
                                   "stop-first",
                                   "--stop-signal",
                                   "SIGQUIT",
                                   "--no-resolve-image",
                                   "local/nginx:router",
                                   "nginx",
                                   "-c",
                                   "/etc/calzion/nginx.conf"});
    router::SwarmRouterSpec other = spec;
    other.networks.insert("cz-wiki");
    CHECK(router::swarm_spec_hash(other) != router::swarm_spec_hash(spec));
    other = spec;
    other.http_port = 80;
    CHECK(router::swarm_spec_hash(other) != router::swarm_spec_hash(spec));
}

TEST_CASE("router::sync_swarm") {
    test::FakeRunner runner("manager1");
    answer_waits(runner);
    const std::vector<Recorded> shop = {{"shop", {"shop.example.test"}}};
    const router::SwarmRouterSpec shop_spec = spec_of(shop);
    const std::string shop_hash = router::swarm_spec_hash(shop_spec);

    SUBCASE("the first routes: the config, the service, the edge label, then the wait") {
        answer_lock(runner, shop);
        answer_swarm(runner, {});
        router::SyncResult result = router::sync_swarm(runner, "", k_options, {});
        CHECK(lines_of(runner) ==
              std::vector<std::string>{
                  "lock and observe", "observe swarm",
                  "docker config create --label io.calzion.router=1 " + shop_spec.config + " -",
                  "docker service create --detach --name calzion-router --label io.calzion.router=1 "
                  "--container-label io.calzion.spec-hash=" +
                      shop_hash +
                      " --mode global --constraint node.labels.io.calzion.edge==true --publish "
                      "published=8080,target=80,mode=host --config source=" +
                      shop_spec.config +
                      ",target=/etc/calzion/nginx.conf,mode=0444 --network cz-shop --update-parallelism 1 "
                      "--update-order stop-first --update-failure-action rollback --rollback-order stop-first "
                      "--stop-signal SIGQUIT --no-resolve-image local/nginx:router nginx -c /etc/calzion/nginx.conf",
                  "docker node update --label-add io.calzion.edge=true n1", "wait calzion-router - " + shop_hash + " 120 n1"});
        CHECK(input_of(runner, "docker config create") == router::render_config(routes_of(shop)));
        CHECK(result.created);
        CHECK_FALSE(result.reloaded);
        CHECK(result.connected == std::vector<std::string>{"cz-shop"});
        CHECK(result.nodes_added == std::vector<std::string>{"node1"});
        CHECK(result.domains == std::vector<std::string>{"shop.example.test"});
        CHECK(router::summary(result) == "serves 1 domain (shop.example.test): created, joined cz-shop, now on node1");
    }
    SUBCASE("nothing changed: nothing is sent but the looks") {
        answer_lock(runner, shop);
        Swarm swarm;
        swarm.nodes[0] = "n1 ready active 10.0.0.1 node1 true";
        swarm.service = service_json({"local/nginx:router", 8080, shop_spec.config, {"netshop"}, shop_hash});
        swarm.configs = {shop_spec.config};
        answer_swarm(runner, swarm);
        router::SyncResult result = router::sync_swarm(runner, "", k_options, {});
        // Only the wait, which changes nothing, checks that every edge runs it.
        CHECK(lines_of(runner) == std::vector<std::string>{"lock and observe", "observe swarm",
                                                           "wait calzion-router - " + shop_hash + " 120 n1"});
        CHECK_FALSE(result.changed());
        CHECK(router::summary(result) == "serves 1 domain (shop.example.test): unchanged");
    }
    SUBCASE("unchanged, but a config a failed sync left: it is removed once the router is seen to run") {
        answer_lock(runner, shop);
        Swarm swarm;
        swarm.nodes[0] = "n1 ready active 10.0.0.1 node1 true";
        swarm.service = service_json({"local/nginx:router", 8080, shop_spec.config, {"netshop"}, shop_hash});
        swarm.configs = {"calzion-router-00000000", shop_spec.config};
        answer_swarm(runner, swarm);
        CHECK_FALSE(router::sync_swarm(runner, "", k_options, {}).changed());
        CHECK(lines_of(runner) == std::vector<std::string>{"lock and observe", "observe swarm",
                                                           "wait calzion-router - " + shop_hash + " 120 n1",
                                                           "docker config rm calzion-router-00000000"});
    }
    SUBCASE("a replicated router: removed, its tasks awaited, then created global") {
        answer_lock(runner, shop);
        Swarm swarm;
        Service replicated{"local/nginx:router", 8080, shop_spec.config, {"netshop"}, shop_hash};
        replicated.global = false;
        swarm.service = service_json(replicated);
        swarm.configs = {shop_spec.config};
        answer_swarm(runner, swarm);
        CHECK(router::sync_swarm(runner, "", k_options, {}).created);
        std::vector<std::string> lines = lines_of(runner);
        REQUIRE(lines.size() == 7);
        CHECK(lines[2] == "docker service rm calzion-router");
        CHECK(lines[3] == "wait removed calzion-router 120 n1 n2 n3");
        CHECK(lines[4].rfind("docker service create --detach --name calzion-router ", 0) == 0);
        CHECK(lines[5] == "docker node update --label-add io.calzion.edge=true n1");
        CHECK(lines[6] == "wait calzion-router - " + shop_hash + " 120 n1");
    }
    SUBCASE("a new domain: a new config swapped in by one update, the old one removed once it converged") {
        const std::vector<Recorded> more = {{"shop", {"shop.example.test", "www.shop.example.test"}}};
        router::SwarmRouterSpec spec = spec_of(more);
        answer_lock(runner, more);
        Swarm swarm;
        swarm.nodes[0] = "n1 ready active 10.0.0.1 node1 true";
        swarm.service = service_json({"local/nginx:router", 8080, shop_spec.config, {"netshop"}, shop_hash});
        swarm.configs = {shop_spec.config};
        answer_swarm(runner, swarm);
        router::SyncResult result = router::sync_swarm(runner, "", k_options, {});
        CHECK(lines_of(runner) ==
              std::vector<std::string>{
                  "lock and observe", "observe swarm",
                  "docker config create --label io.calzion.router=1 " + spec.config + " -",
                  "docker service update --detach --no-resolve-image --config-rm " + shop_spec.config +
                      " --config-add source=" + spec.config +
                      ",target=/etc/calzion/nginx.conf,mode=0444 --container-label-add io.calzion.spec-hash=" +
                      router::swarm_spec_hash(spec) + " calzion-router",
                  "wait calzion-router 2026-12-01T10:00:00.5Z " + router::swarm_spec_hash(spec) + " 120 n1",
                  "docker config rm " + shop_spec.config});
        CHECK(input_of(runner, "docker config create") == router::render_config(routes_of(more)));
        CHECK(result.reloaded);
        CHECK_FALSE(result.created);
        CHECK(router::summary(result) == "serves 2 domains (shop.example.test, www.shop.example.test): reloaded");
    }
    SUBCASE("a second instance: its network added in the same update as the config") {
        const std::vector<Recorded> both = {{"shop", {"shop.example.test"}}, {"blog", {"blog.example.test"}}};
        router::SwarmRouterSpec spec = spec_of(both);
        answer_lock(runner, both);
        Swarm swarm;
        swarm.nodes[0] = "n1 ready active 10.0.0.1 node1 true";
        swarm.service = service_json({"local/nginx:router", 8080, shop_spec.config, {"netshop"}, shop_hash});
        swarm.configs = {shop_spec.config};
        answer_swarm(runner, swarm);
        router::SyncResult result = router::sync_swarm(runner, "", k_options, {});
        REQUIRE(lines_of(runner).size() > 3);
        CHECK(lines_of(runner)[3] ==
              "docker service update --detach --no-resolve-image --config-rm " + shop_spec.config +
                  " --config-add source=" + spec.config +
                  ",target=/etc/calzion/nginx.conf,mode=0444 --network-add cz-blog --container-label-add "
                  "io.calzion.spec-hash=" +
                  router::swarm_spec_hash(spec) + " calzion-router");
        CHECK(result.reloaded);
        CHECK(result.connected == std::vector<std::string>{"cz-blog"});
        CHECK(result.disconnected.empty());
    }
    SUBCASE("an instance without routes left: its network removed, the image and port changed in the same update") {
        answer_lock(runner, {{"shop", {"shop.example.test"}}, {"blog", {}}});
        router::SwarmRouterSpec spec = shop_spec;
        spec.image = "nginx:1.27-alpine";
        spec.http_port = 80;
        Swarm swarm;
        swarm.nodes[0] = "n1 ready active 10.0.0.1 node1 true";
        swarm.service = service_json({"local/nginx:router", 8080, "calzion-router-00000000", {"netshop", "netblog"}, "old"});
        swarm.configs = {"calzion-router-00000000", shop_spec.config};
        answer_swarm(runner, swarm);
        router::SyncResult result = router::sync_swarm(runner, "", {"nginx:1.27-alpine", 80, 60}, {});
        CHECK(lines_of(runner) ==
              std::vector<std::string>{
                  "lock and observe", "observe swarm",
                  "docker service update --detach --no-resolve-image --image nginx:1.27-alpine --publish-rm "
                  "published=8080,target=80,mode=host --publish-add published=80,target=80,mode=host --config-rm "
                  "calzion-router-00000000 --config-add source=" +
                      shop_spec.config +
                      ",target=/etc/calzion/nginx.conf,mode=0444 --network-rm cz-blog --container-label-add "
                      "io.calzion.spec-hash=" +
                      router::swarm_spec_hash(spec) + " calzion-router",
                  "wait calzion-router 2026-12-01T10:00:00.5Z " + router::swarm_spec_hash(spec) + " 120 n1",
                  "docker config rm calzion-router-00000000"});
        CHECK(result.created);
        CHECK(result.reloaded);
        CHECK(result.disconnected == std::vector<std::string>{"cz-blog"});
    }
    SUBCASE("other edges: nodes labelled and unlabelled, the tasks awaited on the edges only") {
        answer_lock(runner, shop);
        Swarm swarm;
        swarm.nodes[0] = "n1 ready active 10.0.0.1 node1 true";
        swarm.service = service_json({"local/nginx:router", 8080, shop_spec.config, {"netshop"}, shop_hash});
        swarm.configs = {shop_spec.config};
        answer_swarm(runner, swarm);
        router::SyncResult result = router::sync_swarm(runner, "", k_options, {"node2", "10.0.0.3", "n2"});
        CHECK(lines_of(runner) == std::vector<std::string>{"lock and observe", "observe swarm",
                                                           "docker node update --label-add io.calzion.edge=true n2",
                                                           "docker node update --label-add io.calzion.edge=true n3",
                                                           "docker node update --label-rm io.calzion.edge n1",
                                                           "wait calzion-router - " + shop_hash + " 120 n2 n3 - n1"});
        CHECK(result.nodes_added == std::vector<std::string>{"node2", "node3"});
        CHECK(result.nodes_removed == std::vector<std::string>{"node1"});
        CHECK(router::summary(result) == "serves 1 domain (shop.example.test): now on node2, node3, off node1");
    }
    SUBCASE("no swarm instance routes a domain: the service goes, then its configs and the labels") {
        answer_lock(runner, {{"shop", {}}, {"blog", {"blog.example.test"}, false}});
        Swarm swarm;
        swarm.nodes[0] = "n1 ready active 10.0.0.1 node1 true";
        swarm.nodes[1] = "n2 down active 10.0.0.2 node2 true";
        swarm.service = service_json({"local/nginx:router", 8080, shop_spec.config, {"netshop"}, shop_hash});
        swarm.configs = {"calzion-router-00000000", shop_spec.config};
        answer_swarm(runner, swarm);
        router::SyncResult result = router::sync_swarm(runner, "", k_options, {});
        CHECK(lines_of(runner) ==
              std::vector<std::string>{"lock and observe", "observe swarm", "docker service rm calzion-router",
                                       "wait removed calzion-router 120 n1 n3",
                                       "docker config rm calzion-router-00000000 " + shop_spec.config,
                                       "docker node update --label-rm io.calzion.edge n1",
                                       "docker node update --label-rm io.calzion.edge n2"});
        CHECK(result.removed);
        CHECK(result.domains.empty());
        CHECK(router::summary(result) == "removed: no instance routes a domain");
    }
    SUBCASE("no routes and no router: nothing to do but look") {
        answer_lock(runner, {{"shop", {}}});
        answer_swarm(runner, {});
        CHECK_FALSE(router::sync_swarm(runner, "", k_options, {}).changed());
        CHECK(lines_of(runner) == std::vector<std::string>{"lock and observe", "observe swarm"});
    }
    SUBCASE("a plain instance on the manager, an edge: refused before anything changes") {
        answer_lock(runner, {{"shop", {"shop.example.test"}}, {"blog", {"blog.example.test"}, false}},
                    "running HASH bridge cz-blog");
        answer_swarm(runner, {});
        CHECK(error_of([&] { router::sync_swarm(runner, "", k_options, {"node1", "node2"}); }) ==
              "the swarm's router cannot publish port 8080 on manager1, the swarm's manager and one of its edges: "
              "plain instance \"blog\" there routes domains through the host's own router on that port; leave "
              "manager1 out of the swarm instances' edges, or move the plain instance to another host");
        CHECK(lines_of(runner) == std::vector<std::string>{"lock and observe", "observe swarm"});
    }
    SUBCASE("a plain instance on the manager, not an edge: the two routers do not meet") {
        answer_lock(runner, {{"shop", {"shop.example.test"}}, {"blog", {"blog.example.test"}, false}},
                    "running HASH bridge cz-blog");
        answer_swarm(runner, {});
        router::SyncResult result = router::sync_swarm(runner, "", k_options, {"node2"});
        CHECK(result.created);
        CHECK(lines_of(runner).back() == "wait calzion-router - " + shop_hash + " 120 n2");
    }
    SUBCASE("the manager's own router left without routes is removed before the swarm's takes its port") {
        answer_lock(runner, shop, "running HASH bridge");
        answer_swarm(runner, {});
        router::sync_swarm(runner, "", k_options, {});
        REQUIRE(lines_of(runner).size() > 2);
        CHECK(lines_of(runner)[2] == "docker rm --force calzion-router");
    }
    SUBCASE("an edge that is no node") {
        answer_lock(runner, shop);
        answer_swarm(runner, {});
        CHECK(error_of([&] { router::sync_swarm(runner, "", k_options, {"node9"}); }) ==
              "edge \"node9\" is no node of the swarm of manager1 (its nodes: node1, node2, node3)");
        CHECK(lines_of(runner) == std::vector<std::string>{"lock and observe", "observe swarm"});
    }
    SUBCASE("an instance network the swarm does not have") {
        answer_lock(runner, {{"wiki", {"wiki.example.test"}}});
        answer_swarm(runner, {});
        CHECK(error_of([&] { router::sync_swarm(runner, "", k_options, {}); }) ==
              "network \"cz-wiki\" of swarm instance \"wiki\" is no overlay network of the swarm of manager1: "
              "deploy the instance again");
    }
    SUBCASE("nothing changed, but tasks keep failing: an error, not \"unchanged\"") {
        test::FakeRunner failing("manager1");
        answer_waits(failing,
                     "failing\n\nnode1 Running Preparing 1 second ago \nnode1 Shutdown Rejected 6 seconds ago "
                     "\"No such image: local/nginx:router\"\n",
                     1);
        answer_lock(failing, shop);
        Swarm swarm;
        swarm.nodes[0] = "n1 ready active 10.0.0.1 node1 true";
        swarm.service = service_json({"local/nginx:router", 8080, shop_spec.config, {"netshop"}, shop_hash});
        swarm.configs = {shop_spec.config};
        answer_swarm(failing, swarm);
        CHECK(error_of([&] { router::sync_swarm(failing, "", k_options, {}); }) ==
              "the router keeps failing on its edge nodes; its tasks (node, desired state, state, error): node1 "
              "Running Preparing 1 second ago, node1 Shutdown Rejected 6 seconds ago \"No such image: "
              "local/nginx:router\"");
    }
    SUBCASE("an update that failed and was rolled back: the new config goes, the error says what the tasks say") {
        test::FakeRunner failing("manager1");
        answer_waits(failing,
                     "rollback_completed\nrollback completed\nnode1 Running Running 2 seconds ago \nnode1 Shutdown "
                     "Shutdown 5 seconds ago \nnode1 Shutdown Failed 9 seconds ago \"task: non-zero exit (1)\"\n",
                     1);
        const std::vector<Recorded> more = {{"shop", {"shop.example.test", "www.shop.example.test"}}};
        answer_lock(failing, more);
        Swarm swarm;
        swarm.nodes[0] = "n1 ready active 10.0.0.1 node1 true";
        swarm.service = service_json({"local/nginx:router", 8080, shop_spec.config, {"netshop"}, shop_hash});
        swarm.configs = {shop_spec.config};
        answer_swarm(failing, swarm);
        CHECK(error_of([&] { router::sync_swarm(failing, "", k_options, {}); }) ==
              "the router's update failed and was rolled back, the previous router serves: rollback completed; its "
              "tasks (node, desired state, state, error): node1 Running Running 2 seconds ago, node1 Shutdown "
              "Failed 9 seconds ago \"task: non-zero exit (1)\"");
        CHECK(lines_of(failing).back() == "docker config rm " + spec_of(more).config);
    }
}

TEST_CASE("router::parse_observation keeps swarm instances' routes apart") {
    std::string out = "@@calzion state_dir\n/srv/calzion\n@@calzion format\n1\n@@calzion config\n\n"
                      "@@calzion instance blog 1\n" +
                      revision_of({"blog", {"blog.example.test"}, false}) + "@@calzion instance shop 1\n" +
                      revision_of({"shop", {"shop.example.test"}}) + "@@calzion container\n@@calzion end\n";
    router::Observation seen = router::parse_observation(out, "manager1");
    REQUIRE(seen.routes.size() == 1);
    CHECK(seen.routes[0].instance == "blog");
    REQUIRE(seen.swarm_routes.size() == 1);
    CHECK(seen.swarm_routes[0].instance == "shop");
    CHECK(seen.swarm_routes[0].network == "cz-shop");
}

TEST_CASE("router::parse_swarm_observation") {
    Swarm swarm;
    swarm.nodes = {"n1 ready active 10.0.0.1 node1 true", "n2 down drain 10.0.0.2 node2 "};
    swarm.service = service_json({"local/nginx:router", 8080, "calzion-router-0123abcd", {"netshop"}, "h1"});
    swarm.configs = {"calzion-router-0123abcd", "calzion-router-00000000"};
    router::SwarmObservation seen = router::parse_swarm_observation(swarm_output(swarm), "manager1");
    CHECK(seen.node_id == "n1");
    REQUIRE(seen.nodes.size() == 2);
    CHECK(seen.nodes[0].hostname == "node1");
    CHECK(seen.nodes[0].address == "10.0.0.1");
    CHECK(seen.nodes[0].edge_label == "true");
    CHECK(seen.nodes[0].available());
    CHECK(seen.nodes[1].edge_label == "");
    CHECK_FALSE(seen.nodes[1].ready);
    CHECK_FALSE(seen.nodes[1].active);
    CHECK(seen.networks == std::map<std::string, std::string>{{"cz-blog", "netblog"}, {"cz-shop", "netshop"}});
    CHECK(seen.configs == std::vector<std::string>{"calzion-router-00000000", "calzion-router-0123abcd"});
    REQUIRE(seen.service.has_value());
    const router::SwarmRouterService& service = *seen.service;
    CHECK(service.ours);
    CHECK(service.global);
    CHECK(service.image == "local/nginx:router");
    CHECK(service.args == std::vector<std::string>{"nginx", "-c", "/etc/calzion/nginx.conf"});
    CHECK(service.constraints == std::vector<std::string>{"node.labels.io.calzion.edge==true"});
    REQUIRE(service.ports.size() == 1);
    CHECK(service.ports[0].published == 8080);
    CHECK(service.ports[0].target == 80);
    CHECK(service.ports[0].mode == "host");
    REQUIRE(service.configs.size() == 1);
    CHECK(service.configs[0].name == "calzion-router-0123abcd");
    CHECK(service.configs[0].target == "/etc/calzion/nginx.conf");
    CHECK(service.networks == std::vector<std::string>{"netshop"});
    CHECK(service.spec_hash == "h1");
    CHECK(service.update_started == "2026-12-01T10:00:00.5Z");

    SUBCASE("a worker, or no swarm") {
        CHECK(error_of([] {
                  router::parse_swarm_observation("@@calzion swarm\nactive false n2\n@@calzion end\n", "worker1");
              }) == "worker1 is a worker of its swarm, not a manager: the router of swarm instances runs from a "
                    "manager");
        CHECK(error_of([] {
                  router::parse_swarm_observation("@@calzion swarm\ninactive false \n@@calzion end\n", "host1");
              }) == "host1 is in no swarm (its swarm state is \"inactive\"): the router of swarm instances runs "
                    "from the swarm's manager");
    }
    SUBCASE("cut short") {
        CHECK(error_of([] { router::parse_swarm_observation("@@calzion swarm\nactive true n1\n", "m"); }) ==
              "the answer of m about its swarm was cut short");
    }
}

TEST_CASE("router::parse_swarm_wait") {
    router::SwarmWait wait = router::parse_swarm_wait("timeout\n\nnode1 Running Preparing 3 seconds ago \n");
    CHECK(wait.verdict == "timeout");
    CHECK(wait.message == "");
    CHECK(wait.tasks == std::vector<std::string>{"node1 Running Preparing 3 seconds ago"});
    CHECK_FALSE(wait.converged());
    CHECK(router::parse_swarm_wait("converged\n\n").converged());
}
