#include <doctest/doctest.h>

#include "plan/plan.hpp"
#include "state/fields.hpp"
#include "template_helpers.hpp"

using namespace calzion;

namespace {

const char* k_template = R"(
services:
  db: {image: "postgres:16", register: {5432: sql}}
  web: {image: "nginx:1.25", expose: {"db:sql": DB}}
)";

std::map<std::string, plan::Fields> fields_of(const render::Deployment& deployment) {
    std::map<std::string, plan::Fields> fields;
    for (const auto& service : deployment.services) {
        fields[service.name] = state::fields_of(service);
    }
    return fields;
}

docker::Container running(const render::RenderedService& service) {
    docker::Container container;
    container.name = service.container;
    container.service = service.name;
    container.spec_hash = service.spec_hash;
    container.status = "running";
    container.image_id = "sha256:same";
    return container;
}

state::RecordedService recorded(const render::RenderedService& service) {
    return {service.name, service.container, service.spec_hash, service.image, state::fields_of(service), {}};
}

// A host where the deployment runs exactly as recorded.
state::HostState deployed(const render::Deployment& deployment) {
    state::HostState host;
    host.state_dir = "/var/lib/calzion";
    host.current_revision = 1;
    for (const auto& service : deployment.services) {
        host.containers.push_back(running(service));
        host.recorded.push_back(recorded(service));
    }
    return host;
}

plan::Plan plan_of(const render::Deployment& deployment, const state::HostState& host, plan::PlanOptions options = {}) {
    return plan::make_plan(deployment, fields_of(deployment), host, options);
}

}  // namespace

TEST_CASE("plan::make_plan") {
    auto deployment = testing::render_yaml(k_template, "shop");
    auto host = deployed(deployment);

    SUBCASE("a new instance creates every service, dependencies first") {
        auto plan = plan_of(deployment, state::HostState{});
        REQUIRE(plan.actions.size() == 2);
        CHECK(plan.actions[0].service == "db");
        CHECK(plan.actions[0].kind == plan::ActionKind::create);
        CHECK(plan.actions[0].reason == "new service");
        CHECK(plan.has_changes());
    }
    SUBCASE("what runs as recorded is unchanged") {
        auto plan = plan_of(deployment, host);
        CHECK_FALSE(plan.has_changes());
        CHECK(plan.find("web")->kind == plan::ActionKind::unchanged);
        CHECK(plan.find("web")->reason == "up to date");
    }
    SUBCASE("a changed value replaces that service only, naming the field") {
        auto changed = testing::render_yaml(R"(
services:
  db: {image: "postgres:16", register: {5432: sql}}
  web: {image: "nginx:1.25", expose: {"db:sql": DB}, env: {A: "1"}}
)", "shop");
        auto plan = plan_of(changed, host);
        CHECK(plan.find("db")->kind == plan::ActionKind::unchanged);
        const auto* web = plan.find("web");
        CHECK(web->kind == plan::ActionKind::replace);
        CHECK(web->reason == "spec changed");
        CHECK(web->changed_fields == std::vector<std::string>{"env"});
        REQUIRE(web->current.has_value());
        CHECK(web->current->name == "shop-web");
    }
    SUBCASE("drift: a container deleted by hand is created again") {
        host.containers.erase(host.containers.begin() + 1);
        auto plan = plan_of(deployment, host);
        CHECK(plan.find("web")->kind == plan::ActionKind::create);
        CHECK(plan.find("web")->reason == "container missing");
    }
    SUBCASE("drift: a container changed by hand is replaced") {
        host.containers[0].spec_hash = "edited";
        auto plan = plan_of(deployment, host);
        CHECK(plan.find("db")->kind == plan::ActionKind::replace);
        CHECK(plan.find("db")->reason == "container differs from what calzion recorded");
    }
    SUBCASE("a stopped container is replaced") {
        host.containers[0].status = "exited";
        auto plan = plan_of(deployment, host);
        CHECK(plan.find("db")->kind == plan::ActionKind::replace);
        CHECK(plan.find("db")->reason == "container is exited");
    }
    SUBCASE("a tag that now points at another image replaces the service") {
        host.image_ids["nginx:1.25"] = "sha256:newer";
        auto plan = plan_of(deployment, host);
        CHECK(plan.find("web")->kind == plan::ActionKind::replace);
        CHECK(plan.find("web")->reason == "image updated");
    }
    SUBCASE("--force replaces everything") {
        auto plan = plan_of(deployment, host, {true, false});
        CHECK(plan.find("db")->kind == plan::ActionKind::replace);
        CHECK(plan.find("db")->reason == "forced");
    }
    SUBCASE("leftovers of an interrupted deploy are cleaned up") {
        auto leftover = host.containers[1];
        leftover.name = "shop-web-calzion-old";
        host.containers.push_back(leftover);
        auto plan = plan_of(deployment, host);
        const auto* web = plan.find("web");
        CHECK(web->kind == plan::ActionKind::unchanged);
        REQUIRE(web->leftovers.size() == 1);
        CHECK(web->leftovers[0].name == "shop-web-calzion-old");
        CHECK(plan.has_changes());
    }
    SUBCASE("a service gone from the template is kept, or removed with --prune") {
        auto only_db = testing::render_yaml("services:\n  db: {image: \"postgres:16\"}\n", "shop");
        auto kept = plan_of(only_db, host);
        CHECK(kept.find("web")->kind == plan::ActionKind::keep);
        CHECK(kept.find("web")->reason == "no longer in the template; deploy --prune removes it");
        auto pruned = plan_of(only_db, host, {false, true});
        CHECK(pruned.find("web")->kind == plan::ActionKind::remove);
        CHECK(pruned.find("web")->leftovers.size() == 1);
    }
}
