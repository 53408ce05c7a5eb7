#include <doctest/doctest.h>

#include <sstream>

#include "deploy/lifecycle.hpp"
#include "fake_runner.hpp"
#include "state/revision.hpp"
#include "swarm/lifecycle.hpp"
#include "util/error.hpp"

using namespace calzion;

namespace {

// One service of instance shop as the swarm observer prints it, with one
// task; `replicas` wanted, its task running unless it wants none.
std::string service_lines(const std::string& service, int replicas) {
    std::string id = "s-" + service;
    std::string json =
        R"({"ID":")" + id + R"(","Version":{"Index":7},"Spec":{"Name":"shop_)" + service +
        R"(","Labels":{"io.calzion.instance":"shop","io.calzion.service":")" + service +
        R"(","io.calzion.state":"/var/lib/calzion","io.calzion.replicas":"1"},)"
        R"("TaskTemplate":{"ContainerSpec":{"Labels":{"io.calzion.task":"t"}}},"Mode":{"Replicated":{"Replicas":)" +
        std::to_string(replicas) + "}}}}\n";
    return json;
}

std::string task_line(const std::string& service, bool running) {
    std::string state = running ? "running" : "shutdown";
    return R"({"ID":"t-)" + service + R"(","ServiceID":"s-)" + service + R"(","NodeID":"n1","DesiredState":")" +
           state + R"(","State":")" + state + R"(","Labels":{"io.calzion.task":"t"},"ForceUpdate":0})" + "\n";
}

// What the lock script prints for instance "shop" at revision 3 on a swarm
// manager, its services db, cache, web (in start order), each wanting
// `replicas`.
std::string locked_dump(int replicas) {
    render::Deployment deployment{"shop", "cz-shop", 3, {}};
    std::string services;
    std::string tasks;
    for (const char* name : {"db", "cache", "web"}) {
        render::RenderedService service;
        service.name = name;
        service.container = std::string("shop_") + name;
        deployment.services.push_back(service);
        services += service_lines(name, replicas);
        tasks += task_line(name, replicas > 0);
    }
    state::Revision revision;
    revision.revision = 3;
    revision.deployment = deployment;
    return "@@calzion locked\n@@calzion state_dir\n/var/lib/calzion\n@@calzion format\n1\n@@calzion current\n3\n"
           "@@calzion revision\n" +
           state::revision_to_json(revision) + "\n@@calzion lock\n@@calzion observed\n@@swarm ipvs\nno\n" +
           "@@swarm services\n" + services + "@@swarm tasks\n" + tasks +
           "@@swarm nodes\nn1 host1\n@@swarm images\n@@swarm volumes\n@@swarm versions\n@@calzion end\n";
}

bool is_script(const std::vector<std::string>& argv, const std::string& text) {
    return argv.size() > 2 && argv[0] == "sh" && argv[2].find(text) != std::string::npos;
}

struct Fixture {
    test::FakeRunner runner{"manager"};
    std::ostringstream log;
    events::LineReporter reporter{log, false};
    deploy::LifecycleRequest request;
    deploy::LifecycleOutcome outcome;

    // Every change converges with `converge`.
    explicit Fixture(int replicas, exec::Result converge = {0, "", "converged completed 1/1 none\n", ""}) {
        runner.on([](const auto& argv) { return is_script(argv, "@@calzion locked"); },
                  exec::Result{0, "", locked_dump(replicas), ""});
        runner.on([](const auto& argv) { return is_script(argv, "count_tasks"); }, converge);
        runner.on_prefix({"docker", "service", "inspect"}, exec::Result{0, "", "2\n", ""});
        request.instance = "shop";
        request.targets.backend = "swarm";
        request.wait_timeout = 45;
    }

    void run(deploy::Lifecycle action) {
        request.action = action;
        deploy::lifecycle_on(outcome, runner, request, reporter);
    }

    // "converge NAME: CHANGE" per converge script, "lock", "audit", else the argv.
    std::vector<std::string> steps() const {
        std::vector<std::string> out;
        for (const auto& command : runner.commands()) {
            const auto& argv = command.argv;
            if (is_script(argv, "@@calzion locked")) {
                out.push_back("lock");
            } else if (is_script(argv, "audit.log")) {
                out.push_back("audit");
            } else if (is_script(argv, "count_tasks")) {
                std::string line = "converge " + argv[5] + " in " + argv[6] + "s:";
                for (size_t i = 9; i < argv.size(); ++i) {
                    line += " " + argv[i];
                }
                CHECK(argv[4] == "/var/lib/calzion/instances/shop");
                out.push_back(line);
            } else {
                std::string line = argv[0];
                for (size_t i = 1; i < argv.size(); ++i) {
                    line += " " + argv[i];
                }
                out.push_back(line);
            }
        }
        return out;
    }
};

}  // namespace

TEST_CASE("swarm lifecycle through deploy::lifecycle_on") {
    SUBCASE("restart: a forced rolling update of each service, in start order, while it serves") {
        Fixture f(1);
        f.run(deploy::Lifecycle::restart);
        const std::string label = "docker service inspect --format {{index .Spec.Labels \"io.calzion.replicas\"}} ";
        const std::string update = "docker service update --detach --force --replicas 2 ";
        CHECK(f.steps() == std::vector<std::string>{"lock", label + "shop_db",
                                                    "converge shop_db in 45s: " + update + "shop_db",
                                                    label + "shop_cache",
                                                    "converge shop_cache in 45s: " + update + "shop_cache",
                                                    label + "shop_web",
                                                    "converge shop_web in 45s: " + update + "shop_web", "audit"});
        CHECK(f.outcome.changes.size() == 3);
        CHECK(f.outcome.changes[0].change == "restarted");
    }
    SUBCASE("stop: scaled to 0, in reverse start order") {
        Fixture f(1);
        f.run(deploy::Lifecycle::stop);
        CHECK(f.steps() == std::vector<std::string>{
                               "lock",
                               "converge shop_web in 120s: docker service update --detach --replicas 0 shop_web",
                               "converge shop_cache in 120s: docker service update --detach --replicas 0 shop_cache",
                               "converge shop_db in 120s: docker service update --detach --replicas 0 shop_db",
                               "audit"});
    }
    SUBCASE("start: back to the replicas calzion gave each (its label)") {
        Fixture f(0);
        f.run(deploy::Lifecycle::start);
        auto steps = f.steps();
        REQUIRE(steps.size() == 8);
        CHECK(steps[1] == "docker service inspect --format {{index .Spec.Labels \"io.calzion.replicas\"}} shop_db");
        CHECK(steps[2] == "converge shop_db in 45s: docker service update --detach --replicas 2 shop_db");
    }
    SUBCASE("a stopped service is already stopped") {
        Fixture f(0);
        f.run(deploy::Lifecycle::stop);
        CHECK(f.steps() == std::vector<std::string>{"lock", "audit"});
        CHECK(f.outcome.changes[0].change == "already stopped");
    }
    SUBCASE("a restart that does not converge names the service and says why") {
        Fixture f(1, {1, "", "timeout updating 0/1 none\n@@swarm message\nupdate in progress\n", ""});
        CHECK_THROWS_WITH_AS(f.run(deploy::Lifecycle::restart),
                             "service \"db\": restarting failed: not converged after 45s (0/1 tasks running)", Error);
    }
}
