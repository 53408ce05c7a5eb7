// Rendering an instance with `backend: swarm`: every service gets a SwarmSpec
// from the infrastructure file, written as "swarm" and hashed only then, and
// images built from source are named after the registry.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "plan/plan.hpp"
#include "render/deployment_json.hpp"
#include "render/names.hpp"
#include "render/render.hpp"
#include "state/fields.hpp"
#include "state/host_state.hpp"
#include "template_helpers.hpp"
#include "util/error.hpp"

using namespace calzion;
using nlohmann::json;

namespace {

const char* k_template = R"(
services:
  db: {image: "postgres:16", register: {5432: sql}}
  web: {image: "nginx:1.27", ports: ["8080:80"], expose: {"db:sql": DB}}
  app: {git: ., cmd: serve}
)";

render::SwarmOptions swarm_options() {
    render::SwarmOptions swarm;
    swarm.replicas = {{"web", 6}, {"app", 0}};
    swarm.constraints = {{"db", {"node.hostname==node3"}},
                         {"web", {"node.labels.zone==east", "node.labels.disk==ssd"}}};
    swarm.endpoint_mode = "dnsrr";
    return swarm;
}

render::Deployment render_with(const std::optional<render::SwarmOptions>& swarm,
                               const std::map<std::string, std::string>& commits = {{"app", "0123456789ab"}}) {
    render::RenderOptions options;
    options.instance = "shop";
    options.commits = commits;
    options.swarm = swarm;
    return render::render(testing::source_of(k_template), options);
}

const render::RenderedService& service(const render::Deployment& deployment, const std::string& name) {
    const render::RenderedService* found = deployment.find(name);
    REQUIRE_MESSAGE(found != nullptr, name);
    return *found;
}

std::string problem_in(const json& document) {
    try {
        render::deployment_from_json(document);
    } catch (const Error& error) {
        CHECK(error.kind() == ErrorKind::invalid_data);
        return error.message();
    }
    return "no error";
}

}  // namespace

TEST_CASE("render::render for a swarm instance") {
    render::Deployment docker = render_with(std::nullopt);
    render::Deployment swarm = render_with(swarm_options());

    SUBCASE("every service gets its replicas, its constraints sorted, and the modes as written") {
        const render::RenderedService& web = service(swarm, "web");
        REQUIRE(web.swarm.has_value());
        CHECK(web.swarm->replicas == 6);
        CHECK(web.swarm->constraints == std::vector<std::string>{"node.labels.disk==ssd", "node.labels.zone==east"});
        CHECK(web.swarm->endpoint_mode == "dnsrr");
        CHECK(web.swarm->publish_mode == "");
        REQUIRE(service(swarm, "db").swarm.has_value());
        CHECK(*service(swarm, "db").swarm ==
              render::SwarmSpec{1, {"node.hostname==node3"}, "dnsrr", ""});  // no scale: one replica
        CHECK(*service(swarm, "app").swarm == render::SwarmSpec{0, {}, "dnsrr", ""});
        for (const auto& each : docker.services) {
            CHECK_FALSE(each.swarm.has_value());
        }
    }
    SUBCASE("the template is the same: only the swarm spec differs from plain docker") {
        REQUIRE(swarm.services.size() == docker.services.size());
        for (size_t i = 0; i < docker.services.size(); ++i) {
            json with = json::parse(render::service_to_json(swarm.services[i]).dump());
            json without = json::parse(render::service_to_json(docker.services[i]).dump());
            CHECK(with.contains("swarm"));
            CHECK_FALSE(without.contains("swarm"));
            with.erase("swarm");
            with.erase("spec_hash");
            without.erase("spec_hash");
            with["labels"].erase("io.calzion.spec-hash");
            without["labels"].erase("io.calzion.spec-hash");
            CHECK(with == without);
        }
        CHECK(service(swarm, "web").env.at("DB") == "db:5432");  // the overlay network's alias, as on one host
    }
    SUBCASE("written as \"swarm\" and read back exactly") {
        json written = json::parse(render::deployment_to_json(swarm).dump());
        CHECK(written["services"][1]["name"] == "web");
        CHECK(written["services"][1]["swarm"] == json::parse(R"({"constraints": ["node.labels.disk==ssd",
            "node.labels.zone==east"], "endpoint_mode": "dnsrr", "publish_mode": "", "replicas": 6})"));
        render::Deployment again = render::deployment_from_json(written);
        CHECK(render::deployment_to_json(again).dump() == render::deployment_to_json(swarm).dump());
        for (size_t i = 0; i < swarm.services.size(); ++i) {
            CHECK(again.services[i].swarm == swarm.services[i].swarm);
            CHECK(render::spec_hash(again.services[i]) == swarm.services[i].spec_hash);
        }
        CHECK(render::deployment_to_yaml(swarm).find("    swarm:\n      constraints: []\n      endpoint_mode: dnsrr\n"
                                                    "      publish_mode: \"\"\n      replicas: 0\n") !=
              std::string::npos);
    }
    SUBCASE("the reader stays strict about \"swarm\"") {
        json document = json::parse(render::deployment_to_json(swarm).dump());
        json spoiled = document;
        spoiled["services"][0]["swarm"]["replica"] = 2;
        CHECK(problem_in(spoiled) ==
              "invalid deployment document: \"services[0].swarm.replica\" is not a field this calzion knows");
        spoiled = document;
        spoiled["services"][0]["swarm"].erase("publish_mode");
        CHECK(problem_in(spoiled) == "invalid deployment document: \"services[0].swarm.publish_mode\" is missing");
        spoiled = document;
        spoiled["services"][0]["swarm"]["endpoint_mode"] = "round-robin";
        CHECK(problem_in(spoiled) ==
              "invalid deployment document: \"services[0].swarm.endpoint_mode\" must be \"vip\", \"dnsrr\" or \"\"");
        spoiled = document;
        spoiled["services"][0]["swarm"]["publish_mode"] = "edge";
        CHECK(problem_in(spoiled) ==
              "invalid deployment document: \"services[0].swarm.publish_mode\" must be \"ingress\", \"host\" or \"\"");
        spoiled = document;
        spoiled["services"][0]["swarm"]["replicas"] = -1;
        CHECK(problem_in(spoiled) ==
              "invalid deployment document: \"services[0].swarm.replicas\" must be a whole number from 0 to 1000000000");
        spoiled = document;
        spoiled["services"][0]["swarm"] = nullptr;
        CHECK(problem_in(spoiled) == "invalid deployment document: \"services[0].swarm\" must be an object");
        spoiled = document;
        spoiled["services"][0]["swarm"]["constraints"] = "node.role==manager";
        CHECK(problem_in(spoiled) ==
              "invalid deployment document: \"services[0].swarm.constraints\" must be a list of strings");
    }
    SUBCASE("a plain docker service's hash is what it was before Swarm; a swarm service's is another") {
        // Pinned as test_render_render pins it: a change here would replace
        // every container of every instance on its next deploy.
        render::RenderOptions options;
        options.instance = "demo";
        auto plain = render::render(testing::source_of("web:\n  image: nginx\n  cmd: serve --port 80\n"), options);
        CHECK(plain.services.at(0).spec_hash == "9a4c499cce160b9a27985e235389d6ef494258516299558eba48a81ec83cc00c");
        options.swarm = render::SwarmOptions{};
        auto swarmed = render::render(testing::source_of("web:\n  image: nginx\n  cmd: serve --port 80\n"), options);
        CHECK(swarmed.services.at(0).spec_hash != plain.services.at(0).spec_hash);
        CHECK(swarmed.services.at(0).labels.at("io.calzion.spec-hash") == swarmed.services.at(0).spec_hash);
    }
    SUBCASE("the scale or the placement changes the hash of that service only") {
        render::SwarmOptions scaled = swarm_options();
        scaled.replicas["web"] = 3;
        render::Deployment after = render_with(scaled);
        CHECK(service(after, "web").spec_hash != service(swarm, "web").spec_hash);
        CHECK(service(after, "db").spec_hash == service(swarm, "db").spec_hash);
        CHECK(service(after, "app").spec_hash == service(swarm, "app").spec_hash);
        render::SwarmOptions moved = swarm_options();
        moved.constraints["db"] = {"node.hostname==node2"};
        CHECK(service(render_with(moved), "db").spec_hash != service(swarm, "db").spec_hash);
        // The order the labels were written in does not count.
        render::SwarmOptions reordered = swarm_options();
        reordered.constraints["web"] = {"node.labels.disk==ssd", "node.labels.zone==east"};
        CHECK(service(render_with(reordered), "web").spec_hash == service(swarm, "web").spec_hash);
    }
    SUBCASE("the planner names \"swarm\" as what changed") {
        render::SwarmOptions scaled = swarm_options();
        scaled.replicas["web"] = 3;
        render::Deployment after = render_with(scaled);
        state::HostState host;
        host.state_dir = "/var/lib/calzion";
        host.current_revision = 1;
        plan::Observed observed;
        for (const auto& each : swarm.services) {
            host.recorded.push_back(
                {each.name, each.container, each.spec_hash, each.image, state::fields_of(each), {}, {}, each.mounts});
            plan::Workload workload;
            workload.name = each.container;
            workload.service = each.name;
            workload.spec_hash = each.spec_hash;
            workload.status = "running";
            workload.image_id = "sha256:same";
            observed.workloads.push_back(workload);
            observed.image_ids[each.image] = "sha256:same";
        }
        std::map<std::string, plan::Fields> fields;
        for (const auto& each : after.services) {
            fields[each.name] = state::fields_of(each);
        }
        plan::Plan plan = plan::make_plan(after, fields, host, observed, {});
        const plan::Action* web = plan.find("web");
        REQUIRE(web != nullptr);
        CHECK(web->kind == plan::ActionKind::replace);
        CHECK(web->changed_fields == std::vector<std::string>{"swarm"});
        CHECK(plan.find("db")->kind == plan::ActionKind::unchanged);
    }
}

TEST_CASE("render::render names built images after the registry") {
    render::SwarmOptions swarm;
    swarm.registry = "10.0.0.1:5000/team";
    CHECK(service(render_with(swarm), "app").image == "10.0.0.1:5000/team/shop_app:0123456789ab");
    CHECK(service(render_with(swarm), "web").image == "nginx:1.27");  // not built: as the template says
    CHECK(service(render_with(render::SwarmOptions{}), "app").image == "shop_app:0123456789ab");
    CHECK(service(render_with(std::nullopt), "app").image == "shop_app:0123456789ab");
    CHECK(service(render_with(swarm, {}), "app").image == "");  // its commit not known yet
    CHECK(render::built_image("reg.example.com", "shop", "app", "abc") == "reg.example.com/shop_app:abc");
    CHECK(render::built_image("", "shop", "app", "abc") == "shop_app:abc");
}
