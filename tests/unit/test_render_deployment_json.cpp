// deployment_from_json is the inverse of deployment_to_json: what a host recorded
// runs again exactly as it ran, or is refused naming the field.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "render/deployment_json.hpp"
#include "template_helpers.hpp"
#include "util/error.hpp"

using namespace calzion;
using nlohmann::json;

namespace {

// Every field a service can have, each set to something other than its default.
const char* k_rich = R"(
env: {SHARED: "1"}
services:
  db:
    image: postgres:16
    secrets: [DB_PASSWORD]
    volumes: [/var/lib/postgresql/data, "pgconf:/etc/pg:ro", "/srv/dumps:/dumps"]
    register: {5432: sql}
    healthcheck: {cmd: [pg_isready, -U, app], interval: 5s, timeout: 2s, retries: 3, start_period: 10s}
    init: ["createdb app", [psql, -c, "select 1"]]
    update: stop-first
    labels: {team: data}
    memory: 512m
    cpus: "0.5"
    pull: never
  web:
    image: nginx:1.25
    entrypoint: [/docker-entrypoint.sh, nginx]
    cmd: [-g, "daemon off;"]
    ports: ["127.0.0.1:8080:80/tcp", "443"]
    expose: {"db:sql": {env: DATABASE_URL, format: "postgres://{host}:{port}/app"}}
    depends_on: [db]
    user: "101:101"
    workdir: /srv
    restart: always
    options: [--read-only, --tmpfs, /tmp]
  app:
    git: .
    cmd: web
  lib:
    build: {context: ./lib, dockerfile: Dockerfile.prod, args: {V: "1"}, target: runtime}
)";

render::Deployment read_back(const render::Deployment& deployment) {
    return render::deployment_from_json(json::parse(render::deployment_to_json(deployment).dump()));
}

// The document of a small deployment, to spoil in one place per test.
json small_document() {
    return json::parse(render::deployment_to_json(testing::render_yaml("web: {image: nginx}\n", "shop")).dump());
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

TEST_CASE("render::deployment_from_json") {
    SUBCASE("render, write, read and write again give the same JSON and the same hashes") {
        render::Deployment original = testing::render_yaml(k_rich, "shop");
        render::Deployment again = read_back(original);
        CHECK(render::deployment_to_json(again).dump() == render::deployment_to_json(original).dump());
        REQUIRE(again.services.size() == original.services.size());
        for (size_t i = 0; i < original.services.size(); ++i) {
            CAPTURE(original.services[i].name);
            CHECK(again.services[i].spec_hash == original.services[i].spec_hash);
            CHECK(render::spec_hash(again.services[i]) == original.services[i].spec_hash);
        }
        CHECK(again.instance == "shop");
        CHECK(again.network == "cz-shop");
        CHECK(again.revision == 1);
    }
    SUBCASE("a service built from git alone reads back without a build section") {
        render::Deployment again = read_back(testing::render_yaml(k_rich, "shop"));
        const render::RenderedService* app = again.find("app");
        REQUIRE(app != nullptr);
        CHECK(app->git == ".");
        CHECK_FALSE(app->build.has_value());
        const render::RenderedService* lib = again.find("lib");
        REQUIRE(lib != nullptr);
        CHECK_FALSE(lib->git.has_value());
        REQUIRE(lib->build.has_value());
        CHECK(lib->build->target == "runtime");
    }
    SUBCASE("fields that are absent or null stay so") {
        render::Deployment again = read_back(testing::render_yaml("web: {image: nginx}\n", "shop"));
        const render::RenderedService& web = again.services.at(0);
        CHECK_FALSE(web.command.has_value());
        CHECK_FALSE(web.entrypoint.has_value());
        CHECK_FALSE(web.healthcheck.has_value());
        CHECK_FALSE(web.git.has_value());
    }
    SUBCASE("a revision recorded before services had a pull policy reads, with none") {
        json document = small_document();
        document["services"][0].erase("pull");
        render::Deployment old = render::deployment_from_json(document);
        CHECK(old.services.at(0).pull == std::nullopt);
        CHECK(render::spec_hash(old.services.at(0)) == old.services.at(0).spec_hash);
        CHECK(read_back(testing::render_yaml(k_rich, "shop")).find("db")->pull == render::PullPolicy::never);
    }
}

TEST_CASE("render::deployment_from_json refuses a malformed document, naming the field") {
    json document = small_document();
    SUBCASE("a missing field") {
        document["services"][0].erase("image");
        CHECK(problem_in(document) == "invalid deployment document: \"services[0].image\" is missing");
    }
    SUBCASE("a value of the wrong type") {
        document["services"][0]["env"]["PORT"] = 8080;
        CHECK(problem_in(document) == "invalid deployment document: \"services[0].env.PORT\" must be a string");
    }
    SUBCASE("a field this calzion does not know") {
        document["services"][0]["sidecar"] = true;
        CHECK(problem_in(document) ==
              "invalid deployment document: \"services[0].sidecar\" is not a field this calzion knows");
    }
    SUBCASE("a port that is not a number") {
        document["services"][0]["ports"] = json::array({{{"host_ip", ""}, {"host_port", "80"},
                                                         {"container_port", 80}, {"protocol", "tcp"}}});
        CHECK(problem_in(document) ==
              "invalid deployment document: \"services[0].ports[0].host_port\" must be a whole number from 0 to "
              "1000000000");
    }
    SUBCASE("a mount of an unknown type") {
        document["services"][0]["mounts"] =
            json::array({{{"type", "tmpfs"}, {"source", ""}, {"target", "/t"}, {"read_only", false}}});
        CHECK(problem_in(document) ==
              "invalid deployment document: \"services[0].mounts[0].type\" must be \"instance\", \"volume\" or \"bind\"");
    }
    SUBCASE("a pull policy calzion does not know") {
        document["services"][0]["pull"] = "sometimes";
        CHECK(problem_in(document) ==
              "invalid deployment document: \"services[0].pull\" must be \"always\", \"missing\", \"never\" or \"\"");
    }
    SUBCASE("an update order calzion does not know") {
        document["services"][0]["update"] = "";
        CHECK(problem_in(document) ==
              "invalid deployment document: \"services[0].update\" must be \"start-first\" or \"stop-first\"");
    }
    SUBCASE("another format") {
        document["format"] = 2;
        CHECK(problem_in(document) == "invalid deployment document: \"format\" is 2, this calzion reads 1");
    }
    SUBCASE("a service twice") {
        document["services"].push_back(document["services"][0]);
        CHECK(problem_in(document) == "invalid deployment document: \"services[1].name\" repeats \"web\"");
    }
    SUBCASE("not an object at all") {
        CHECK(problem_in(json::array()) == "invalid deployment document: the document must be an object");
    }
    SUBCASE("the untouched document reads") {
        CHECK(problem_in(document) == "no error");
    }
}

TEST_CASE("render::deployment routes") {
    render::Deployment routed = testing::render_yaml("web: {image: nginx}\napi: {image: nginx}\n", "shop");
    routed.services.at(0).routes = {{"www.example.com", 8000}, {"example.com", 8000}};

    SUBCASE("a service's routes are in its JSON, written and read back alike") {
        json written = json::parse(render::deployment_to_json(routed).dump());
        CHECK(written["services"][0]["routes"].dump() ==
              R"([{"domain":"www.example.com","port":8000},{"domain":"example.com","port":8000}])");
        CHECK(written["services"][1]["routes"].dump() == "[]");
        render::Deployment again = read_back(routed);
        CHECK(render::deployment_to_json(again).dump() == render::deployment_to_json(routed).dump());
        REQUIRE(again.services.at(0).routes.size() == 2);
        CHECK(again.services.at(0).routes[1].domain == "example.com");
        CHECK(again.services.at(0).routes[1].port == 8000);
    }
    SUBCASE("routes are not part of the spec hash: a new domain replaces no container") {
        render::Deployment plain = testing::render_yaml("web: {image: nginx}\napi: {image: nginx}\n", "shop");
        CHECK(render::spec_hash(routed.services.at(0)) == plain.services.at(0).spec_hash);
    }
    SUBCASE("a revision recorded before services had routes reads, with none") {
        json document = small_document();
        document["services"][0].erase("routes");
        CHECK(render::deployment_from_json(document).services.at(0).routes.empty());
    }
    SUBCASE("a malformed route is refused, naming the field") {
        json document = small_document();
        document["services"][0]["routes"] = json::array({{{"domain", "a.example.com"}, {"port", "80"}}});
        CHECK(problem_in(document) ==
              "invalid deployment document: \"services[0].routes[0].port\" must be a whole number from 0 to "
              "1000000000");
        document["services"][0]["routes"] = json::array({{{"domain", "a.example.com"}}});
        CHECK(problem_in(document) == "invalid deployment document: \"services[0].routes[0].port\" is missing");
    }
}

TEST_CASE("render policies: each value and the name it is written as") {
    using render::MountType;
    using render::PullPolicy;
    using render::UpdateOrder;
    for (MountType type : {MountType::instance, MountType::volume, MountType::bind}) {
        CHECK(render::mount_type_named(render::to_string(type)) == type);
    }
    for (PullPolicy pull : {PullPolicy::missing, PullPolicy::always, PullPolicy::never}) {
        CHECK(render::pull_policy_named(render::to_string(pull)) == pull);
    }
    for (UpdateOrder order : {UpdateOrder::start_first, UpdateOrder::stop_first}) {
        CHECK(render::update_order_named(render::to_string(order)) == order);
    }
    CHECK(render::to_string(MountType::volume) == "volume");
    CHECK(render::to_string(PullPolicy::never) == "never");
    CHECK(render::to_string(UpdateOrder::stop_first) == "stop-first");
    CHECK(render::mount_type_named("named") == std::nullopt);
    CHECK(render::pull_policy_named("") == std::nullopt);
    CHECK(render::update_order_named("stop_first") == std::nullopt);
}
