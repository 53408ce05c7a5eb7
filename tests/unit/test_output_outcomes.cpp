#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "output/outcomes.hpp"

using namespace calzion;

namespace {

plan::Action action(plan::ActionKind kind, const std::string& service, const std::string& reason,
                    std::vector<std::string> fields = {}) {
    plan::Action a;
    a.kind = kind;
    a.service = service;
    a.reason = reason;
    a.changed_fields = std::move(fields);
    return a;
}

std::vector<deploy::HostOutcome> planned() {
    std::vector<deploy::HostOutcome> outcomes(2);
    outcomes[0].host = "web1";
    outcomes[0].revision_before = 3;
    outcomes[0].revision_after = 4;
    outcomes[0].plan.actions = {action(plan::ActionKind::create, "db", "not deployed"),
                                action(plan::ActionKind::replace, "web", "spec changed", {"env", "image"}),
                                action(plan::ActionKind::unchanged, "cache", "up to date"),
                                action(plan::ActionKind::keep, "old", "not in the template; --prune removes it"),
                                action(plan::ActionKind::remove, "worker-legacy", "not in the template")};
    outcomes[1].host = "web2";
    outcomes[1].error = Error(ErrorKind::unreachable, "connection refused");
    return outcomes;
}

std::vector<deploy::InstanceStatus> statuses() {
    deploy::InstanceStatus status;
    status.host = "web1";
    status.instance = "shop";
    status.revision = 4;
    status.lock_owner = "alice";
    status.services = {{"db", "shop-db", 4, "running", "healthy", "", -1, {}, {}},
                       {"web", "shop-web", 3, "exited", "unhealthy", "container is exited", -1, {}, {}},
                       {"worker", "shop-worker", 0, "missing", "", "container missing", -1, {}, {}}};
    deploy::InstanceStatus failed;
    failed.host = "web2";
    failed.error = Error(ErrorKind::unreachable, "connection refused");
    return {status, failed};
}

}  // namespace

TEST_CASE("output::plan_text") {
    const std::string plain =
        "web1: shop at revision 3 -> 4\n"
        "  + db             create: not deployed\n"
        "  ~ web            replace: spec changed (env, image)\n"
        "  = cache          unchanged: up to date\n"
        "  ! old            keep: not in the template; --prune removes it\n"
        "  - worker-legacy  remove: not in the template\n"
        "web2: cannot plan: connection refused\n";

    SUBCASE("without colour the text is plain") {
        CHECK(output::plan_text(planned(), "shop") == plain);
        CHECK(output::plan_text(planned(), "shop", false) == plain);
    }
    SUBCASE("with colour, create is green, replace yellow, remove and failures red") {
        CHECK(output::plan_text(planned(), "shop", true) ==
              "web1: shop at revision 3 -> 4\n"
              "  \x1b[32m+\x1b[0m db             \x1b[32mcreate\x1b[0m: not deployed\n"
              "  \x1b[33m~\x1b[0m web            \x1b[33mreplace\x1b[0m: spec changed (env, image)\n"
              "  = cache          unchanged: up to date\n"
              "  ! old            keep: not in the template; --prune removes it\n"
              "  \x1b[31m-\x1b[0m worker-legacy  \x1b[31mremove\x1b[0m: not in the template\n"
              "web2: \x1b[31mcannot plan:\x1b[0m connection refused\n");
    }
}

TEST_CASE("output::status_text") {
    const std::string plain =
        "web1: shop at revision 4 (locked)\n"
        "  db               running    healthy    rev 4\n"
        "  web              exited     unhealthy  rev 3  drift: container is exited\n"
        "  worker           missing    -          rev 0  drift: container missing\n"
        "web2: connection refused\n";

    SUBCASE("without colour the text is plain") {
        CHECK(output::status_text(statuses()) == plain);
        CHECK(output::status_text(statuses(), false) == plain);
    }
    SUBCASE("with colour, columns stay aligned and states are coloured") {
        CHECK(output::status_text(statuses(), true) ==
              "web1: shop at revision 4 (locked)\n"
              "  db               \x1b[32mrunning\x1b[0m    \x1b[32mhealthy\x1b[0m    rev 4\n"
              "  web              \x1b[33mexited\x1b[0m     \x1b[31munhealthy\x1b[0m  rev 3  "
              "\x1b[33mdrift: container is exited\x1b[0m\n"
              "  worker           \x1b[31mmissing\x1b[0m    -          rev 0  \x1b[33mdrift: container missing\x1b[0m\n"
              "web2: \x1b[31mconnection refused\x1b[0m\n");
    }
}

TEST_CASE("output::plan_text and outcomes_json with init to run") {
    render::RenderedService db;
    db.name = "db";
    db.init = {{"createdb", "app"}, {"sh", "-c", "psql < /schema.sql"}};
    std::vector<deploy::HostOutcome> outcomes(1);
    outcomes[0].host = "web1";
    outcomes[0].revision_before = 3;
    outcomes[0].revision_after = 4;
    outcomes[0].plan.actions = {action(plan::ActionKind::unchanged, "db", "up to date"),
                                action(plan::ActionKind::unchanged, "cache", "up to date")};
    outcomes[0].plan.actions[0].desired = &db;
    outcomes[0].plan.actions[0].init = true;
    CHECK(output::plan_text(outcomes, "shop") ==
          "web1: shop at revision 3 -> 4\n"
          "  = db       unchanged: up to date\n"
          "             then init: createdb app\n"
          "             then init: sh -c 'psql < /schema.sql'\n"
          "  = cache    unchanged: up to date\n");
    std::string json = output::outcomes_json(outcomes, "shop");
    CHECK(json.find(R"("init": [
            [
              "createdb",)") != std::string::npos);
    CHECK(json.find(R"("service": "cache")") != std::string::npos);
    CHECK(json.find(R"("init": [])") != std::string::npos);
}

TEST_CASE("output::status_text and status_json: a failed last deploy, a missing instance") {
    deploy::InstanceStatus failed;
    failed.host = "web1";
    failed.instance = "shop";
    failed.revision = 5;
    failed.last_failure = {"deploy", "service \"web\": not ready after 120s; it printed no log lines"};
    deploy::InstanceStatus missing;
    missing.host = "web2";
    missing.instance = "shop";
    missing.missing = true;
    CHECK(output::status_text({failed, missing}) ==
          "web1: shop at revision 5\n"
          "  last deploy failed: service \"web\": not ready after 120s; it printed no log lines\n"
          "web2: no instance \"shop\"\n");
    auto document = nlohmann::json::parse(output::status_json({failed, missing}));
    CHECK(document["instances"].size() == 1);
    CHECK(document["instances"][0]["last_failure"].dump() ==
          R"({"command":"deploy","message":"service \"web\": not ready after 120s; it printed no log lines"})");
    CHECK(document["hosts"].dump() == R"([{"error":null,"host":"web1"},{"error":null,"host":"web2"}])");
}

TEST_CASE("output::status_text and status_json: a swarm service's replicas per node and its lost tasks") {
    deploy::InstanceStatus status;
    status.host = "host1";
    status.instance = "big";
    status.revision = 2;
    status.services = {{"web", "big_web", 2, "running", "", "", 3, {{"host1", 2}, {"host2", 1}},
                        {"host3: orphaned (replaced)"}},
                       {"db", "big_db", 2, "degraded", "", "changed outside calzion (version 40, calzion left 31)",
                        1, {}, {"host2: pending: no suitable node"}}};
    CHECK(output::status_text({status}) ==
          "host1: big at revision 2\n"
          "  web              running    -          rev 2  3/3 on host1 (2), host2 (1)\n"
          "    host3: orphaned (replaced)\n"
          "  db               degraded   -          rev 2  0/1  drift: changed outside calzion (version 40, calzion "
          "left 31)\n"
          "    host2: pending: no suitable node\n");
    auto document = nlohmann::json::parse(output::status_json({status}));
    CHECK(document["instances"][0]["services"][0]["replicas"].dump() ==
          R"j({"nodes":{"host1":2,"host2":1},"running":3,"tasks":["host3: orphaned (replaced)"],"wanted":3})j");
    CHECK(document["instances"][0]["services"][1]["replicas"]["running"] == 0);
}

TEST_CASE("output::dry_run_json") {
    std::vector<deploy::HostOutcome> outcomes(1);
    outcomes[0].host = "host1";
    std::string printed = "host1: docker rm --force shop-web\n"
                          "host1: sh -c 'a=1\necho it'\\''s' x  # reads 3 bytes from stdin\n";
    auto document = nlohmann::json::parse(output::dry_run_json(outcomes, "shop", printed));
    CHECK(document["dry_run"] == true);
    CHECK(document["commands"].dump() ==
          R"([{"command":"docker rm --force shop-web","host":"host1"},)"
          R"({"command":"sh -c 'a=1\necho it'\\''s' x  # reads 3 bytes from stdin","host":"host1"}])");
    CHECK(document["hosts"][0]["host"] == "host1");
}
