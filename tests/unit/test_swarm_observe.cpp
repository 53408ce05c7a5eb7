#include <doctest/doctest.h>


#include "plan/plan.hpp"
#include "swarm/observe.hpp"
#include "swarm/versions.hpp"
#include "swarm_captures.hpp"
#include "util/error.hpp"

using namespace calzion;

namespace {

// What the observe fragment printed on a real one-node swarm (host1), for
// instance try1: web (a health-checked httpd publishing 18080 in host mode)
// and worker.
const plan::Workload& workload_named(const plan::Observed& observed, const std::string& name) {
    for (const auto& workload : observed.workloads) {
        if (workload.name == name) {
            return workload;
        }
    }
    FAIL("no workload " << name);
    throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("swarm::parse_view of a converged instance") {
    swarm::SwarmView view = swarm::parse_view(testing::swarm_capture("observed_converged.txt"), {"local/busybox:1", "redis"});
    const plan::Observed& observed = view.observed;
    CHECK_FALSE(view.ipvs);
    REQUIRE(observed.workloads.size() == 2);
    const plan::Workload& web = workload_named(observed, "try1_web");
    CHECK(web.id == "l6zaecfjgi1ibmafk1j4ggysz");
    CHECK(web.instance == "try1");
    CHECK(web.service == "web");
    CHECK(web.spec_hash == "a0f48a0688433788dd5c9b5f4cfa19260d5822ce6e67952b8b999d43d9777aed");
    CHECK(web.state_dir == "/var/lib/calzion");
    CHECK(web.revision == 1);
    CHECK(web.replicas == 1);
    CHECK(web.status == "running");
    CHECK(web.image_id.empty());  // the tag names the image; each node resolves it
    CHECK(web.changed_by_hand.empty());
    REQUIRE(web.tasks.size() == 1);
    CHECK(web.tasks[0].id == "jklcvkdyqclxiw5l8qkegn2gi");
    CHECK(web.tasks[0].node == "host1");
    CHECK(web.tasks[0].container == "7648dbf0fb8d9f2934c67365198565092c0146f93337bf5d50bcb2d0e806b94b");
    CHECK(web.tasks[0].state == "running");
    CHECK(web.tasks[0].desired_state == "running");
    REQUIRE(web.volumes.size() == 2);
    CHECK(web.volumes[0].name == "cz_try1_data");
    CHECK(web.volumes[0].target == "/data");
    CHECK(web.volumes[1].name == "czdir_try1_web.cache.4f7cfe6f");
    CHECK(workload_named(observed, "try1_worker").status == "running");
    CHECK(observed.volumes == std::map<std::string, std::string>{{"cz_try1_data", "/var/lib/calzion"},
                                                                 {"czdir_try1_web.cache.4f7cfe6f", "/var/lib/calzion"}});
    CHECK(observed.image_ids ==
          std::map<std::string, std::string>{
              {"local/busybox:1", "sha256:00b81327d2c0d7161edaf34c02746aecf0659953f433bdf6eebab2c975d64692"}});
    // The service's spec comes along for the update.
    REQUIRE(view.services.count("try1_web"));
    CHECK(view.services.at("try1_web").version == 340);
    CHECK(view.services.at("try1_web").spec.env.at("HOSTILE") == "$(rm -rf /) 'q' \"d\"");
}

TEST_CASE("swarm::parse_view: services changed by hand") {
    // docker service update --env-add BYHAND=1 try1_web (still updating) and
    // docker service scale try1_worker=2, after calzion recorded 382 and 354.
    plan::Observed observed = swarm::parse_view(testing::swarm_capture("observed_by_hand.txt"), {}).observed;
    const plan::Workload& web = workload_named(observed, "try1_web");
    CHECK(web.changed_by_hand == "changed outside calzion (version 384, calzion left 382)");
    CHECK(web.status == "updating");
    const plan::Workload& worker = workload_named(observed, "try1_worker");
    CHECK(worker.changed_by_hand == "changed outside calzion (version 388, calzion left 354)");
    CHECK(worker.replicas == 2);
}

TEST_CASE("swarm::parse_view: a service with a task that cannot be scheduled") {
    // web scaled to 2 on one node: the second task cannot have host port 18080.
    plan::Observed observed = swarm::parse_view(testing::swarm_capture("observed_degraded.txt"), {}).observed;
    const plan::Workload& web = workload_named(observed, "try1_web");
    CHECK(web.replicas == 2);
    CHECK(web.status == "degraded");
    CHECK(web.changed_by_hand.empty());
    REQUIRE(web.tasks.size() == 3);
    CHECK(web.tasks[0].id == "yd12ojcwp6x01y5j7nzipkvdk");
    CHECK(web.tasks[0].state == "running");
    CHECK(web.tasks[1].id == "jk4fhzrvd9g4b1dbi3ctfsnz0");
    CHECK(web.tasks[1].state == "pending");
    CHECK(web.tasks[1].node == "");
    CHECK(web.tasks[1].error == "no suitable node (host-mode port already in use on 1 node)");
    // and its latest failed task
    CHECK(web.tasks[2].id == "n90mpoye760sllzal0pfyg8z5");
    CHECK(web.tasks[2].state == "failed");
    CHECK(web.tasks[2].error == "task: non-zero exit (137): dockerexec: unhealthy container");
    CHECK(plan::not_running_reason(web) == "service has 1/2 tasks running");
}

TEST_CASE("swarm::parse_view: an engine that is no manager, or does not answer") {
    CHECK_THROWS_WITH_AS(swarm::parse_view(testing::swarm_capture("observed_not_manager.txt"), {}),
                         "the host is not a swarm manager (its swarm state: inactive false): run `docker swarm init "
                         "--advertise-addr ADDRESS` there, or name a manager as the instance's \"manager\"",
                         Error);
    CHECK_THROWS_WITH_AS(swarm::parse_view("@@swarm failed\n", {}),
                         "docker does not answer on the swarm manager (is the engine running?)", Error);
    CHECK_THROWS_WITH_AS(swarm::parse_view("", {}),
                         "docker does not answer on the swarm manager (is the engine running?)", Error);
}

TEST_CASE("swarm::workload_of: status") {
    swarm::InspectedService service;
    service.id = "s1";
    service.version = 12;
    service.spec.name = "shop_web";
    service.spec.replicas = 2;
    service.spec.container_labels = {{"io.calzion.task", "t2"}};
    auto task = [](const std::string& id, const std::string& desired, const std::string& state,
                   const std::string& label, long long force = 0) {
        swarm::InspectedTask out;
        out.task = {id, "n1", "c-" + id, state, desired, ""};
        out.service_id = "s1";
        out.task_label = label;
        out.force_update = force;
        return out;
    };
    std::map<std::string, std::string> nodes = {{"n1", "node1"}};

    SUBCASE("converged: as many tasks of the current spec running as wanted") {
        auto workload = swarm::workload_of(service, {task("a", "running", "running", "t2"),
                                                     task("b", "running", "running", "t2"),
                                                     task("c", "shutdown", "running", "t1")},
                                           nodes, 12);
        CHECK(workload.status == "running");
        CHECK(workload.tasks.size() == 2);
        CHECK(workload.tasks[0].node == "node1");
    }
    SUBCASE("a task of the previous spec, or of the previous forced update, does not count") {
        CHECK(swarm::workload_of(service, {task("a", "running", "running", "t2"), task("b", "running", "running", "t1")},
                                 nodes, 0)
                  .status == "degraded");
        service.force_update = 1;
        CHECK(swarm::workload_of(service, {task("a", "running", "running", "t2", 1), task("b", "running", "running", "t2")},
                                 nodes, 0)
                  .status == "degraded");
    }
    SUBCASE("updating, stopped, paused") {
        service.update_state = "rollback_started";
        CHECK(swarm::workload_of(service, {}, nodes, 0).status == "updating");
        service.update_state = "paused";
        CHECK(swarm::workload_of(service, {task("a", "running", "running", "t2"), task("b", "running", "running", "t2")},
                                 nodes, 0)
                  .status == "degraded");
        service.update_state = "completed";
        service.spec.replicas = 0;
        auto stopped = swarm::workload_of(service, {task("a", "shutdown", "shutdown", "t2")}, nodes, 0);
        CHECK(stopped.status == "stopped");
        CHECK(plan::not_running_reason(stopped) == "service is stopped");
        CHECK(swarm::workload_of(service, {task("a", "shutdown", "running", "t2")}, nodes, 0).status == "stopping");
    }
    SUBCASE("a task on a node that is down is stale: node down, running nowhere") {
        auto lost = task("c", "shutdown", "running", "t2");
        lost.task.node = "n3";
        nodes["n3"] = "node3";
        auto workload = swarm::workload_of(service, {task("a", "running", "running", "t2"),
                                                     task("b", "running", "running", "t2"), lost},
                                           nodes, 12, {"n3"});
        CHECK(workload.status == "running");
        REQUIRE(workload.tasks.size() == 3);
        CHECK(workload.tasks[2].node == "node3");
        CHECK(workload.tasks[2].state == "node down");
        auto stale = task("d", "running", "running", "t2");
        stale.task.node = "n3";
        CHECK(swarm::workload_of(service, {task("a", "running", "running", "t2"), stale}, nodes, 12, {"n3"}).status ==
              "degraded");
    }
    SUBCASE("a version other than the one calzion recorded") {
        CHECK(swarm::workload_of(service, {}, nodes, 11).changed_by_hand ==
              "changed outside calzion (version 12, calzion left 11)");
        CHECK(swarm::workload_of(service, {}, nodes, 0).changed_by_hand.empty());
    }
}

TEST_CASE("swarm::parse_versions") {
    CHECK(swarm::parse_versions("shop_web 31\nshop_db 7\nshop_x\nshop_y 1e3\n\n") ==
          std::map<std::string, long long>{{"shop_db", 7}, {"shop_web", 31}});
}

TEST_CASE("swarm::observer") {
    state::Observer observer = swarm::observer("shop", {"nginx", "docker.io/library/nginx:latest", "redis:7"});
    // The instance, then each image once, as docker lists it among RepoTags.
    CHECK(observer.args == std::vector<std::string>{"shop", "nginx:latest", "redis:7"});
    CHECK(observer.script.find("docker service ls -q --filter \"label=io.calzion.instance=$i\"") != std::string::npos);
    CHECK(observer.script.find("[ -e /proc/sys/net/ipv4/vs ]") != std::string::npos);
    CHECK(observer.script.find("versions=swarm-versions") != std::string::npos);
}
