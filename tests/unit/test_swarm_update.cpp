#include <doctest/doctest.h>


#include "swarm/desired.hpp"
#include "swarm/observe.hpp"
#include "swarm/update.hpp"
#include "swarm_captures.hpp"
#include "template_helpers.hpp"

using namespace calzion;

namespace {

// The template the captured services were deployed from (instance try1 on a
// one-node swarm without IPVS, state directory /var/lib/calzion), GREETING
// unset and secret TOKEN in try1_TOKEN_2ed45968.
const std::string k_deployed = testing::k_swarm_web;

swarm::SpecContext context(const std::string& token = "try1_TOKEN_2ed45968") {
    return {"try1", "cz-try1", "/var/lib/calzion", false, {{"TOKEN", token}}, 2};
}

// The web service as the manager described it after the first deploy.
swarm::ServiceSpec deployed_web() {
    swarm::SwarmView view = swarm::parse_view(testing::swarm_capture("observed_converged.txt"), {});
    REQUIRE(view.services.count("try1_web"));
    return view.services.at("try1_web").spec;
}

// What the template wants of web with `set`, its spec hash the deployed one's
// when `same_hash` (the hash is render's: the test is about the rest).
swarm::ServiceSpec wanted_web(const std::map<std::string, std::string>& set = {}, const std::string& yaml = k_deployed,
                              const swarm::SpecContext& with = context()) {
    render::Deployment deployment = testing::render_yaml(yaml, "try1", set);
    return swarm::desired_spec(*deployment.find("web"), with);
}

swarm::ServiceSpec with_hash_of(swarm::ServiceSpec spec, const swarm::ServiceSpec& other) {
    spec.labels["io.calzion.spec-hash"] = other.labels.at("io.calzion.spec-hash");
    return spec;
}

}  // namespace

TEST_CASE("swarm::update_argv against a service as a real manager describes it") {
    swarm::ServiceSpec current = deployed_web();

    SUBCASE("the spec it was created with: nothing to send") {
        CHECK(swarm::update_argv(current, with_hash_of(wanted_web(), current)).empty());
    }
    SUBCASE("an env value changed: that value, and the labels that say so") {
        swarm::ServiceSpec wanted = with_hash_of(wanted_web({{"GREETING", "hello"}}), current);
        CHECK(swarm::update_argv(current, wanted) ==
              std::vector<std::string>{"docker", "service", "update", "--detach", "--no-resolve-image",
                                       "--container-label-add",
                                       "io.calzion.task=" + wanted.container_labels.at("io.calzion.task"),
                                       "--env-add", "GREETING=hello", "try1_web"});
        CHECK(wanted.container_labels.at("io.calzion.task") != current.container_labels.at("io.calzion.task"));
    }
    SUBCASE("a port moved: the old one removed, the new one added, both in host mode") {
        std::string yaml = k_deployed;
        yaml.replace(yaml.find("18080:8080"), 10, "18081:8080");
        swarm::ServiceSpec wanted = with_hash_of(wanted_web({}, yaml), current);
        auto argv = swarm::update_argv(current, wanted);
        CHECK(std::vector<std::string>(argv.begin() + 7, argv.end()) ==
              std::vector<std::string>{"--publish-rm", "published=18080,target=8080,protocol=tcp,mode=host",
                                       "--publish-add", "published=18081,target=8080,protocol=tcp,mode=host",
                                       "try1_web"});
    }
    SUBCASE("a secret rotated: the old Swarm secret removed, the new one at the same file") {
        swarm::ServiceSpec wanted = with_hash_of(wanted_web({}, k_deployed, context("try1_TOKEN_93cf9e8e")), current);
        auto argv = swarm::update_argv(current, wanted);
        CHECK(std::vector<std::string>(argv.begin() + 7, argv.end()) ==
              std::vector<std::string>{"--secret-rm", "try1_TOKEN_2ed45968", "--secret-add",
                                       "source=try1_TOKEN_93cf9e8e,target=TOKEN,mode=0400", "try1_web"});
    }
}

TEST_CASE("swarm::update_argv") {
    swarm::ServiceSpec current;
    current.name = "shop_web";
    current.image = "nginx:1.25";
    current.env = {{"A", "1"}, {"B", "2"}};
    current.labels = {{"team", "web"}, {"old", "x"}};
    current.mounts = {{"volume", "cz_shop_data", "/data", false, {}}, {"bind", "/etc/ssl", "/etc/ssl", true, {}},
                      {"volume", "cz_shop_tmp", "/tmp", false, {}}};
    current.constraints = {"node.role==worker"};
    current.entrypoint = {"/entry.sh"};
    current.args = {"serve"};
    current.health = {{"CMD-SHELL", "true"}, 10'000'000'000, 0, 0, 3};
    swarm::ServiceSpec desired = current;

    SUBCASE("whole values for what has no add and remove") {
        desired.image = "nginx:1.26";
        desired.replicas = 3;
        desired.user = "nobody";
        desired.memory = 268'435'456;
        desired.endpoint_mode = "dnsrr";
        CHECK(swarm::update_argv(current, desired) ==
              std::vector<std::string>{"docker", "service", "update", "--detach", "--no-resolve-image", "--image",
                                       "nginx:1.26", "--replicas", "3", "--user", "nobody", "--limit-memory", "256m",
                                       "--endpoint-mode", "dnsrr", "shop_web"});
    }
    SUBCASE("maps and lists: additions and changes added, what is gone removed") {
        desired.env = {{"A", "1"}, {"B", "3"}, {"C", "4 5"}};
        desired.labels = {{"team", "api"}};
        desired.mounts = {{"volume", "cz_shop_data2", "/data", false, {{"io.calzion.instance", "shop"}}},
                          {"bind", "/etc/ssl", "/etc/ssl", true, {}}};
        desired.constraints = {"node.labels.zone==east"};
        CHECK(swarm::update_argv(current, desired) ==
              std::vector<std::string>{"docker", "service", "update", "--detach", "--no-resolve-image",
                                       "--label-add", "team=api", "--label-rm", "old",
                                       "--env-add", "B=3", "--env-add", "C=4 5",
                                       // An added mount replaces the one at its target: no removal for /data.
                                       "--mount-add",
                                       "type=volume,source=cz_shop_data2,target=/data,volume-label=io.calzion.instance=shop",
                                       "--mount-rm", "/tmp",
                                       "--constraint-rm", "node.role==worker", "--constraint-add", "node.labels.zone==east",
                                       "shop_web"});
    }
    SUBCASE("entrypoint and command back to the image's, health check removed") {
        desired.entrypoint = {};
        desired.args = {"a b", "it's"};
        desired.health = {};
        CHECK(swarm::update_argv(current, desired) ==
              std::vector<std::string>{"docker", "service", "update", "--detach", "--no-resolve-image",
                                       "--entrypoint", "", "--args", R"('a b' 'it'\''s')",
                                       "--health-cmd", "", "--health-interval", "0s", "--health-timeout", "0s",
                                       "--health-start-period", "0s", "--health-retries", "0", "shop_web"});
    }
    SUBCASE("the update policy a hand changed back") {
        current.update.failure_action = "pause";
        desired.update.failure_action = "rollback";
        desired.rollback.monitor = 20'000'000'000;
        CHECK(swarm::update_argv(current, desired) ==
              std::vector<std::string>{"docker", "service", "update", "--detach", "--no-resolve-image",
                                       "--update-failure-action", "rollback", "--rollback-monitor", "20s",
                                       "shop_web"});
    }
}

TEST_CASE("swarm lifecycle changes") {
    CHECK(swarm::force_update_argv("shop_web") ==
          std::vector<std::string>{"docker", "service", "update", "--detach", "--force", "shop_web"});
    CHECK(swarm::scale_argv("shop_web", 0) ==
          std::vector<std::string>{"docker", "service", "update", "--detach", "--replicas", "0", "shop_web"});
}

TEST_CASE("swarm::needs_forced_restart") {
    swarm::ServiceSpec current;
    current.name = "shop_web";
    current.labels = {{"io.calzion.spec-hash", "h1"}};
    current.container_labels = {{"io.calzion.task", "t1"}};
    swarm::ServiceSpec desired = current;
    desired.labels["io.calzion.revision"] = "4";  // a new revision relabels it
    plan::Workload workload;
    workload.spec_hash = "h1";
    workload.status = "running";

    SUBCASE("forced, or not converged, with the same spec: the tasks are replaced by force") {
        CHECK(swarm::needs_forced_restart(workload, current, desired));
        workload.status = "degraded";
        CHECK(swarm::needs_forced_restart(workload, current, desired));
        CHECK(swarm::forced(swarm::update_argv(current, desired), "shop_web") ==
              std::vector<std::string>{"docker", "service", "update", "--detach", "--force", "--no-resolve-image",
                                       "--label-add", "io.calzion.revision=4", "shop_web"});
        CHECK(swarm::forced(swarm::scale_argv("shop_web", 2), "shop_web") ==
              std::vector<std::string>{"docker", "service", "update", "--detach", "--force", "--replicas", "2",
                                       "shop_web"});
        CHECK(swarm::forced({}, "shop_web") == swarm::force_update_argv("shop_web"));
    }
    SUBCASE("a new spec that only scales: its tasks stay") {
        desired.labels["io.calzion.spec-hash"] = "h2";
        desired.replicas = 3;
        CHECK_FALSE(swarm::needs_forced_restart(workload, current, desired));
    }
    SUBCASE("a new task spec replaces the tasks anyway") {
        desired.container_labels["io.calzion.task"] = "t2";
        CHECK_FALSE(swarm::needs_forced_restart(workload, current, desired));
    }
    SUBCASE("stopped, or changed by hand: the update alone") {
        workload.status = "stopped";
        CHECK_FALSE(swarm::needs_forced_restart(workload, current, desired));
        workload.status = "running";
        workload.changed_by_hand = "changed outside calzion (version 9, calzion left 8)";
        CHECK_FALSE(swarm::needs_forced_restart(workload, current, desired));
    }
}
