#include <doctest/doctest.h>

#include "plan/plan.hpp"
#include "state/fields.hpp"
#include "state/host_state.hpp"
#include "template_helpers.hpp"

using namespace calzion;

namespace {

calzion::plan::PlanOptions options_with(bool force, bool prune) {
    calzion::plan::PlanOptions options;
    options.force = force;
    options.prune = prune;
    return options;
}


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

plan::Workload running(const render::RenderedService& service) {
    plan::Workload container;
    container.name = service.container;
    container.service = service.name;
    container.spec_hash = service.spec_hash;
    container.status = "running";
    container.image_id = "sha256:same";
    return container;
}

state::RecordedService recorded(const render::RenderedService& service) {
    return {service.name, service.container, service.spec_hash, service.image, state::fields_of(service), {}, {}, service.mounts};
}

// A host as the planner sees it: what its store records, and what the backend
// observed running there.
struct Host : state::HostState {
    std::vector<plan::Workload> containers;
    std::map<std::string, std::string> volumes;
    std::map<std::string, std::string> image_ids;
};

// A host where the deployment runs exactly as recorded.
Host deployed(const render::Deployment& deployment) {
    Host host;
    host.state_dir = "/var/lib/calzion";
    host.current_revision = 1;
    for (const auto& service : deployment.services) {
        host.containers.push_back(running(service));
        host.recorded.push_back(recorded(service));
    }
    return host;
}

plan::Plan plan_of(const render::Deployment& deployment, const Host& host, plan::PlanOptions options = {}) {
    plan::Observed observed{host.containers, host.volumes, host.image_ids};
    return plan::make_plan(deployment, fields_of(deployment), host, observed, options);
}

}  // namespace

TEST_CASE("plan::make_plan") {
    auto deployment = testing::render_yaml(k_template, "shop");
    auto host = deployed(deployment);

    SUBCASE("a new instance creates every service, dependencies first") {
        auto plan = plan_of(deployment, Host{});
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
        CHECK(web->current->name == "shop_web");
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
        auto plan = plan_of(deployment, host, options_with(true, false));
        CHECK(plan.find("db")->kind == plan::ActionKind::replace);
        CHECK(plan.find("db")->reason == "forced");
    }
    SUBCASE("a parked container still running finishes an interrupted replacement; it serves until then") {
        auto parked = host.containers[1];
        parked.name = "shop_web_old";
        parked.spec_hash = "old-hash";
        SUBCASE("the new container is there: unchanged, and the plan says the parked one goes once it is ready") {
            host.containers.push_back(parked);
            auto plan = plan_of(deployment, host);
            const auto* web = plan.find("web");
            CHECK(web->kind == plan::ActionKind::unchanged);
            CHECK(web->reason ==
                  "finishes an interrupted replacement; shop_web_old keeps serving until shop_web is ready");
            REQUIRE(web->parked.has_value());
            CHECK(web->leftovers.empty());
            CHECK(plan.has_changes());
        }
        SUBCASE("the new container is gone: a replacement of the parked one") {
            host.containers[1] = parked;
            auto plan = plan_of(deployment, host);
            const auto* web = plan.find("web");
            CHECK(web->kind == plan::ActionKind::replace);
            CHECK(web->reason ==
                  "finishes an interrupted replacement; shop_web_old keeps serving until the new container "
                  "is ready");
            CHECK_FALSE(web->current.has_value());
            CHECK(web->parked->name == "shop_web_old");
        }
    }
    SUBCASE("leftovers of an interrupted deploy are cleaned up") {
        auto leftover = host.containers[1];
        leftover.name = "shop_web_old";
        leftover.status = "exited";
        host.containers.push_back(leftover);
        auto plan = plan_of(deployment, host);
        const auto* web = plan.find("web");
        CHECK(web->kind == plan::ActionKind::unchanged);
        REQUIRE(web->leftovers.size() == 1);
        CHECK(web->leftovers[0].name == "shop_web_old");
        CHECK(plan.has_changes());
    }
    SUBCASE("a container named as before (<instance>-<service>) is replaced under its new name") {
        host.containers[1].name = "shop-web";
        auto plan = plan_of(deployment, host);
        const auto* web = plan.find("web");
        CHECK(web->kind == plan::ActionKind::replace);
        CHECK(web->reason == "container renamed to shop_web");
        REQUIRE(web->current.has_value());
        CHECK(web->current->name == "shop-web");
        CHECK(web->leftovers.empty());
        CHECK(plan.find("db")->kind == plan::ActionKind::unchanged);
    }
    SUBCASE("a stopped container under an old name is not adopted: created anew, the old one cleaned up") {
        host.containers[1].name = "shop-web";
        host.containers[1].status = "exited";
        auto plan = plan_of(deployment, host);
        const auto* web = plan.find("web");
        CHECK(web->kind == plan::ActionKind::create);
        REQUIRE(web->leftovers.size() == 1);
        CHECK(web->leftovers[0].name == "shop-web");
    }
    SUBCASE("a service gone from the template is kept, or removed with --prune") {
        auto only_db = testing::render_yaml("services:\n  db: {image: \"postgres:16\"}\n", "shop");
        auto kept = plan_of(only_db, host);
        CHECK(kept.find("web")->kind == plan::ActionKind::keep);
        CHECK(kept.find("web")->reason == "no longer in the template; deploy --prune removes it");
        auto pruned = plan_of(only_db, host, options_with(false, true));
        CHECK(pruned.find("web")->kind == plan::ActionKind::remove);
        CHECK(pruned.find("web")->leftovers.size() == 1);
    }
    SUBCASE("a service moved to another host: its volumes stay, when it has any") {
        const char* with_volumes = R"(
services:
  db: {image: "postgres:16", volumes: [/var/lib/postgresql/data, "cache:/cache"]}
  web: {image: "nginx:1.25"}
)";
        auto both = testing::render_yaml(with_volumes, "shop");
        auto there = deployed(both);
        there.recorded[0].volumes = {"cz-shop-cache"};
        auto only_web = testing::render_yaml("services:\n  web: {image: \"nginx:1.25\"}\n", "shop");
        plan::PlanOptions moved;
        moved.moved = {{"db", "host2"}};
        CHECK(plan_of(only_web, there, moved).find("db")->reason ==
              "moved to \"host2\"; its volumes stay on this host (in /var/lib/calzion/instances/shop/volumes/db and "
              "its named volumes), and it starts there without them");
        auto only_db = testing::render_yaml("services:\n  db: {image: \"postgres:16\"}\n", "shop");
        moved.moved = {{"web", "host2"}};
        CHECK(plan_of(only_db, there, moved).find("web")->reason == "moved to \"host2\"");
    }
}

TEST_CASE("plan::make_plan and init") {
    const char* with_init = R"(
services:
  db: {image: "postgres:16", register: {5432: sql}, init: [createdb app]}
  web: {image: "nginx:1.25", expose: {"db:sql": DB}}
)";
    auto deployment = testing::render_yaml(with_init, "shop");

    SUBCASE("a new service with init runs it; one without has nothing to run") {
        auto plan = plan_of(deployment, Host{});
        CHECK(plan.find("db")->kind == plan::ActionKind::create);
        CHECK(plan.find("db")->init);
        CHECK_FALSE(plan.find("web")->init);
    }
    SUBCASE("once the host holds the marker, init never runs again, whatever happens to the container") {
        auto host = deployed(deployment);
        host.init_done = {"db"};
        auto plan = plan_of(deployment, host);
        CHECK_FALSE(plan.has_changes());
        CHECK_FALSE(plan.find("db")->init);
        auto forced = plan_of(deployment, host, options_with(true, false));
        CHECK(forced.find("db")->kind == plan::ActionKind::replace);
        CHECK_FALSE(forced.find("db")->init);
        host.containers.clear();
        CHECK_FALSE(plan_of(deployment, host).find("db")->init);
    }
    SUBCASE("a running container whose init has not run (it failed, or init is new) only gets its init") {
        auto host = deployed(deployment);
        auto plan = plan_of(deployment, host);
        CHECK(plan.find("db")->kind == plan::ActionKind::unchanged);
        CHECK(plan.find("db")->init);
        CHECK(plan.has_changes());
    }
    SUBCASE("init and pull are not fields of the container: changing them replaces nothing") {
        auto host = deployed(deployment);
        host.init_done = {"db"};
        auto changed = testing::render_yaml(R"(
services:
  db: {image: "postgres:16", register: {5432: sql}, init: [createdb other], pull: never}
  web: {image: "nginx:1.25", expose: {"db:sql": DB}, pull: always}
)", "shop");
        auto plan = plan_of(changed, host);
        CHECK_FALSE(plan.has_changes());
        CHECK(plan.find("db")->kind == plan::ActionKind::unchanged);
        CHECK(plan.find("web")->kind == plan::ActionKind::unchanged);
    }
}

TEST_CASE("plan::make_plan and builds from source") {
    const char* built = R"(
services:
  db: {image: "postgres:16"}
  web: {git: ., cmd: serve}
)";
    auto at_commit = [&](const std::string& tag) {
        render::RenderOptions options;
        options.instance = "shop";
        options.commits = {{"web", tag}};
        return render::render(testing::source_of(built), options);
    };
    auto first = at_commit("0123456789ab");

    SUBCASE("a new built service is built, then created; an image service is not built") {
        auto plan = plan_of(first, Host{});
        CHECK(plan.find("web")->kind == plan::ActionKind::create);
        CHECK(plan.find("web")->build);
        CHECK(plan.find("web")->reason == "new service, build shop_web:0123456789ab");
        CHECK_FALSE(plan.find("db")->build);
    }
    SUBCASE("rollback builds nothing, so its plan says nothing of a build") {
        plan::PlanOptions rollback;
        rollback.builds = false;
        auto plan = plan_of(first, Host{}, rollback);
        CHECK_FALSE(plan.find("web")->build);
        CHECK(plan.find("web")->reason == "new service");
    }
    SUBCASE("an unchanged commit is neither built nor replaced") {
        auto host = deployed(first);
        host.image_ids["shop_web:0123456789ab"] = "sha256:same";
        auto plan = plan_of(first, host);
        CHECK_FALSE(plan.has_changes());
        CHECK_FALSE(plan.find("web")->build);
    }
    SUBCASE("a new commit: the image tag changes, so the spec; built and replaced") {
        auto host = deployed(first);
        host.image_ids["shop_web:0123456789ab"] = "sha256:same";
        auto plan = plan_of(at_commit("fedcba987654"), host);
        const auto* web = plan.find("web");
        CHECK(web->kind == plan::ActionKind::replace);
        CHECK(web->build);
        CHECK(web->reason == "spec changed, build shop_web:fedcba987654");
        CHECK(web->changed_fields == std::vector<std::string>{"image"});
        CHECK(plan.find("db")->kind == plan::ActionKind::unchanged);
    }
    SUBCASE("an image the host already has (built before) is not built again") {
        auto host = deployed(first);
        host.image_ids["shop_web:0123456789ab"] = "sha256:same";
        host.image_ids["shop_web:fedcba987654"] = "sha256:other";
        auto plan = plan_of(at_commit("fedcba987654"), host);
        CHECK(plan.find("web")->kind == plan::ActionKind::replace);
        CHECK_FALSE(plan.find("web")->build);
        CHECK(plan.find("web")->reason == "spec changed");
    }
}

TEST_CASE("plan::make_plan: named volumes under an earlier name") {
    auto deployment = testing::render_yaml(R"(
services:
  web: {image: "nginx:1.25", volumes: ["store:/data", "/cache"]}
)", "shop");
    auto host = deployed(deployment);
    host.containers[0].name = "shop-web";
    host.containers[0].volumes = {{"cz-shop-store", "/data"}, {std::string(64, 'a'), "/cache"}};

    SUBCASE("the deploy is refused with how to move the data") {
        CHECK_THROWS_WITH(plan_of(deployment, host),
                          "service \"web\" keeps its data at /data in volume \"cz-shop-store\", which is now named "
                          "\"cz_shop_store\", and docker cannot rename a volume; move the data on the host (stop "
                          "shop-web first if it writes there), then deploy again:\n"
                          "  docker volume create --label io.calzion.instance=shop --label "
                          "io.calzion.state=/var/lib/calzion cz_shop_store\n"
                          "  docker run --rm -v cz-shop-store:/from -v cz_shop_store:/to IMAGE cp -a /from/. /to/   "
                          "(any IMAGE with cp, e.g. busybox)\n"
                          "  and once the deploy succeeded: docker volume rm cz-shop-store");
    }
    SUBCASE("once the new volume exists, the container is replaced and mounts it") {
        host.volumes["cz_shop_store"] = "/var/lib/calzion";
        auto plan = plan_of(deployment, host);
        CHECK(plan.find("web")->kind == plan::ActionKind::replace);
        CHECK(plan.find("web")->reason == "container renamed to shop_web");
    }
}

TEST_CASE("plan::make_plan with Swarm services") {
    auto deployment = testing::render_yaml(k_template, "shop");
    for (auto& service : deployment.services) {
        service.swarm = render::SwarmSpec{3, {}, "", ""};
    }
    auto host = deployed(deployment);
    for (auto& workload : host.containers) {
        workload.replicas = 3;
        workload.image_id.clear();  // the tag names the image
        workload.tasks = {{"t1", "node1", "c1", "running", "running", ""},
                          {"t2", "node2", "c2", "running", "running", ""},
                          {"t3", "node3", "c3", "running", "running", ""}};
    }

    SUBCASE("as deployed: unchanged") {
        auto plan = plan_of(deployment, host);
        CHECK_FALSE(plan.has_changes());
    }
    SUBCASE("changed outside calzion: replaced with that reason, so that the deploy restores its spec") {
        host.containers[1].changed_by_hand = "changed outside calzion (version 31, calzion left 27)";
        auto plan = plan_of(deployment, host);
        CHECK(plan.find("web")->kind == plan::ActionKind::replace);
        CHECK(plan.find("web")->reason == "changed outside calzion (version 31, calzion left 27)");
        CHECK(plan.find("db")->kind == plan::ActionKind::unchanged);
    }
    SUBCASE("not converged: replaced, saying how many of its tasks run") {
        host.containers[0].status = "degraded";
        host.containers[0].tasks[1].state = "pending";
        host.containers[0].tasks[2].state = "failed";
        host.containers[1].status = "stopped";
        host.containers[1].replicas = 0;
        auto plan = plan_of(deployment, host);
        CHECK(plan.find("db")->reason == "service has 1/3 tasks running");
        CHECK(plan.find("web")->reason == "service is stopped");
    }
    SUBCASE("a service that is gone") {
        host.containers.pop_back();
        CHECK(plan_of(deployment, host).find("web")->reason == "service missing");
    }
    SUBCASE("another running service of the instance is never taken for a parked or renamed one") {
        plan::Workload other = host.containers[1];
        other.name = "shop-web";
        host.containers.pop_back();
        host.containers.push_back(other);
        auto plan = plan_of(deployment, host);
        CHECK(plan.find("web")->kind == plan::ActionKind::create);
        CHECK(plan.find("web")->leftovers.size() == 1);
        CHECK_FALSE(plan.find("web")->parked);
    }
}
