#include <doctest/doctest.h>

#include "swarm/argv.hpp"
#include "swarm/desired.hpp"
#include "swarm/units.hpp"
#include "template_helpers.hpp"
#include "util/error.hpp"

using namespace calzion;

namespace {

const char* k_rich = R"(
services:
  db: {image: "postgres:16"}
  web:
    image: "nginx:1.25"
    entrypoint: ["/docker-entrypoint.sh", "--quiet"]
    cmd: ["nginx", "-g", "daemon off;"]
    env: {MODE: prod}
    secrets: [API_KEY]
    volumes: ["data:/srv/data", "/var/cache", "/etc/ssl:/etc/ssl:ro"]
    ports: ["8080:80", "9000/udp"]
    depends_on: [db]
    healthcheck: {cmd: [curl, -f, "http://localhost/"], interval: 10s, timeout: 2s, start_period: 1m, retries: 4}
    restart: "on-failure:5"
    labels: {team: web}
    user: "101"
    workdir: /srv
    memory: 512m
    cpus: "1.5"
)";

swarm::SpecContext context(bool ipvs = false) {
    return {"shop", "cz-shop", "/var/lib/calzion", ipvs, {{"API_KEY", "shop_API_KEY_abcd1234"}}, 2};
}

const render::RenderedService& service_named(const render::Deployment& deployment, const std::string& name) {
    const render::RenderedService* service = deployment.find(name);
    REQUIRE(service != nullptr);
    return *service;
}

}  // namespace

TEST_CASE("swarm::create_argv of a service with every field") {
    render::Deployment deployment = testing::render_yaml(k_rich, "shop");
    const render::RenderedService& web = service_named(deployment, "web");
    swarm::ServiceSpec spec = swarm::desired_spec(web, context());
    std::string digest = swarm::task_digest(spec);
    CHECK(spec.container_labels.at("io.calzion.task") == digest);
    CHECK(digest.size() == 12);
    const std::string owned = "volume-label=io.calzion.instance=shop,volume-label=io.calzion.state=/var/lib/calzion";
    CHECK(swarm::create_argv(spec) ==
          std::vector<std::string>{
              "docker", "service", "create", "--detach", "--no-resolve-image", "--name", "shop_web",
              "--label", "io.calzion.instance=shop", "--label", "io.calzion.replicas=1",
              "--label", "io.calzion.revision=1", "--label", "io.calzion.service=web",
              "--label", "io.calzion.spec-hash=" + web.spec_hash, "--label", "io.calzion.state=/var/lib/calzion",
              "--label", "team=web",
              "--replicas", "1",
              // Ports: the template's default is stop-first.
              "--update-order", "stop-first", "--update-failure-action", "rollback", "--update-parallelism", "1",
              "--update-monitor", "40s", "--rollback-order", "stop-first", "--rollback-failure-action", "pause",
              "--rollback-parallelism", "1", "--rollback-monitor", "40s",
              "--container-label", "io.calzion.instance=shop", "--container-label", "io.calzion.service=web",
              "--container-label", "io.calzion.state=/var/lib/calzion", "--container-label", "io.calzion.task=" + digest,
              "--container-label", "team=web",
              "--network", "name=cz-shop,alias=web",
              "--endpoint-mode", "dnsrr",
              "--publish", "published=8080,target=80,protocol=tcp,mode=host",
              "--publish", "target=9000,protocol=udp,mode=host",
              "--env", "API_KEY_FILE=/run/secrets/API_KEY", "--env", "CALZION_INSTANCE=shop",
              "--env", "CALZION_SERVICE=web", "--env", "MODE=prod",
              "--mount", "type=volume,source=cz_shop_data,target=/srv/data," + owned,
              "--mount", "type=volume,source=czdir_shop_web.var.cache.b79f7b1a,target=/var/cache," + owned,
              "--mount", "type=bind,source=/etc/ssl,target=/etc/ssl,readonly",
              "--secret", "source=shop_API_KEY_abcd1234,target=API_KEY,mode=0400",
              "--health-cmd", "curl -f http://localhost/", "--health-interval", "10s", "--health-timeout", "2s",
              "--health-start-period", "60s", "--health-retries", "4",
              "--restart-condition", "on-failure", "--restart-max-attempts", "5",
              "--user", "101", "--workdir", "/srv", "--limit-memory", "512m", "--limit-cpu", "1.5",
              "--entrypoint", "/docker-entrypoint.sh --quiet",
              "nginx:1.25", "nginx", "-g", "daemon off;"});
}

TEST_CASE("swarm::desired_spec") {
    render::Deployment deployment = testing::render_yaml(k_rich, "shop");
    const render::RenderedService& web = service_named(deployment, "web");

    SUBCASE("with IPVS: VIP, ingress publishing, and start-first where the template asks it") {
        render::RenderedService start_first = web;
        start_first.update = render::UpdateOrder::start_first;
        swarm::ServiceSpec spec = swarm::desired_spec(start_first, context(true));
        CHECK(spec.endpoint_mode == "vip");
        CHECK(spec.ports == std::vector<swarm::PublishedPort>{{8080, 80, "tcp", "ingress"}, {0, 9000, "udp", "ingress"}});
        CHECK(spec.update.order == "start-first");
        CHECK(spec.rollback.order == "start-first");
        // Without IPVS its ports are published in host mode: two tasks on one node cannot share one.
        CHECK(swarm::desired_spec(start_first, context(false)).update.order == "stop-first");
    }
    SUBCASE("the infrastructure file's replicas, constraints and modes win over auto") {
        render::RenderedService scaled = web;
        scaled.update = render::UpdateOrder::start_first;
        scaled.swarm = render::SwarmSpec{3, {"node.labels.zone==east"}, "vip", "ingress"};
        swarm::ServiceSpec spec = swarm::desired_spec(scaled, context(false));
        CHECK(spec.replicas == 3);
        CHECK(spec.labels.at("io.calzion.replicas") == "3");
        CHECK(spec.constraints == std::vector<std::string>{"node.labels.zone==east"});
        CHECK(spec.endpoint_mode == "vip");
        CHECK(spec.ports[0].mode == "ingress");
        CHECK(spec.update.order == "start-first");
    }
    SUBCASE("the task digest follows the tasks' spec, not the replicas nor the revision") {
        swarm::ServiceSpec spec = swarm::desired_spec(web, context());
        render::RenderedService other = web;
        other.swarm = render::SwarmSpec{5, {}, "", ""};
        other.labels["io.calzion.revision"] = "7";
        other.labels["io.calzion.spec-hash"] = "another";
        CHECK(swarm::desired_spec(other, context()).container_labels.at("io.calzion.task") ==
              spec.container_labels.at("io.calzion.task"));
        other.env["MODE"] = "dev";
        CHECK(swarm::desired_spec(other, context()).container_labels.at("io.calzion.task") !=
              spec.container_labels.at("io.calzion.task"));
    }
    SUBCASE("restart policies and the monitor without a health check") {
        render::RenderedService plain = service_named(deployment, "db");
        swarm::ServiceSpec spec = swarm::desired_spec(plain, context());
        CHECK(spec.restart_condition == "any");  // unless-stopped: Swarm restarts it unless scaled down
        CHECK(spec.update.monitor == 5'000'000'000);
        CHECK(spec.update.order == "start-first");
        plain.restart = "no";
        CHECK(swarm::desired_spec(plain, context()).restart_condition == "none");
        plain.restart = "on-failure";
        CHECK(swarm::desired_spec(plain, context()).restart_condition == "on-failure");
        CHECK(swarm::desired_spec(plain, context()).restart_attempts == 0);
        CHECK(swarm::desired_spec(plain, {"shop", "cz-shop", "/s", false, {}, 9}).update.monitor == 9'000'000'000);
    }
}

TEST_CASE("swarm::desired_spec refuses what a Swarm service cannot do") {
    render::Deployment deployment = testing::render_yaml(k_rich, "shop");
    render::RenderedService web = service_named(deployment, "web");

    SUBCASE("docker run options") {
        web.options = {"--cap-add", "NET_ADMIN"};
        CHECK_THROWS_WITH_AS(swarm::desired_spec(web, context()),
                             "service \"web\" has \"options\" (--cap-add NET_ADMIN), docker run flags that a Swarm "
                             "service cannot take; remove them for a swarm instance",
                             Error);
    }
    SUBCASE("a port published on one address") {
        web.ports[0].host_ip = "127.0.0.1";
        CHECK_THROWS_WITH_AS(swarm::desired_spec(web, context()),
                             "service \"web\" publishes port 80 on address 127.0.0.1, which a Swarm service cannot: "
                             "it publishes on every address of a node; publish it without the address",
                             Error);
    }
    SUBCASE("a secret with no Swarm secret") {
        CHECK_THROWS_WITH_AS(swarm::desired_spec(web, {"shop", "cz-shop", "/s", false, {}, 2}),
                             "secret \"API_KEY\" of service \"web\" is not in the swarm: deploy the template with "
                             "the secret set",
                             Error);
    }
}

TEST_CASE("swarm: hostile values stay single words") {
    const char* yaml = R"(
services:
  web:
    image: "busybox:1"
    env: {EVIL: "$$(rm -rf /) 'q' \"d\"\nsecond line, with a comma"}
    volumes: ["/srv/a,b \"c\":/data"]
    cmd: ["sh", "-c", "echo '$$HOME'"]
)";
    render::Deployment deployment = testing::render_yaml(yaml, "shop");
    swarm::ServiceSpec spec = swarm::desired_spec(service_named(deployment, "web"), context());
    std::vector<std::string> argv = swarm::create_argv(spec);
    auto has = [&](const std::string& word) { return std::find(argv.begin(), argv.end(), word) != argv.end(); };
    CHECK(has("EVIL=$(rm -rf /) 'q' \"d\"\nsecond line, with a comma"));
    // docker reads --mount as CSV: a field with a comma or a quote is quoted.
    CHECK(has("type=bind,\"source=/srv/a,b \"\"c\"\"\",target=/data"));
    CHECK(std::vector<std::string>(argv.end() - 3, argv.end()) ==
          std::vector<std::string>{"sh", "-c", "echo '$HOME'"});
}

TEST_CASE("swarm::instance_volume") {
    CHECK(swarm::instance_volume("shop", "web", "/var/cache") == "czdir_shop_web.var.cache.b79f7b1a");
    CHECK(swarm::instance_volume("shop", "db", "/srv/data") == "czdir_shop_db.srv.data.96b53e47");
}

TEST_CASE("swarm::csv_field") {
    CHECK(swarm::csv_field("plain=value") == "plain=value");
    CHECK(swarm::csv_field("a,b") == "\"a,b\"");
    CHECK(swarm::csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
    CHECK(swarm::csv_field("two\nlines") == "\"two\nlines\"");
}

TEST_CASE("swarm units") {
    CHECK(swarm::duration_ns("30s") == 30'000'000'000);
    CHECK(swarm::duration_ns("1m30s") == 90'000'000'000);
    CHECK(swarm::duration_ns("1.5h") == 5'400'000'000'000);
    CHECK(swarm::duration_ns("500ms") == 500'000'000);
    CHECK(swarm::duration_ns("10") == 10'000'000'000);
    CHECK_FALSE(swarm::duration_ns("10x"));
    CHECK_FALSE(swarm::duration_ns(""));
    CHECK(swarm::duration_text(90'000'000'000) == "90s");
    CHECK(swarm::duration_text(1'500'000'000) == "1500ms");
    CHECK(swarm::duration_text(1'500) == "1500ns");
    CHECK(swarm::duration_text(0) == "0s");
    CHECK(swarm::size_bytes("512m") == 536'870'912);
    CHECK(swarm::size_bytes("2G") == 2'147'483'648);
    CHECK(swarm::size_bytes("1024") == 1024);
    CHECK_FALSE(swarm::size_bytes("12mb"));
    CHECK(swarm::size_text(536'870'912) == "512m");
    CHECK(swarm::size_text(3072) == "3k");
    CHECK(swarm::size_text(100) == "100");
    CHECK(swarm::size_text(0) == "0");
    CHECK(swarm::nano_cpus("1.5") == 1'500'000'000);
    CHECK(swarm::nano_cpus("0.25") == 250'000'000);
    CHECK_FALSE(swarm::nano_cpus("1,5"));
    CHECK(swarm::cpus_text(1'500'000'000) == "1.5");
    CHECK(swarm::cpus_text(2'000'000'000) == "2");
    CHECK(swarm::cpus_text(0) == "0");
}
