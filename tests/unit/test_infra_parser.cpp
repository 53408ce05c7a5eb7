#include "infra/parser.hpp"

#include <doctest/doctest.h>

#include <string>

#include "template_helpers.hpp"
#include "tmpl/document.hpp"

using namespace calzion;

namespace {

struct Read {
    infra::Infrastructure infra;
    std::string problems;  // "file:line:col: message" per line
};

Read read(const std::string& yaml) {
    Read result;
    tmpl::Node root = tmpl::load_document("infra.yaml", yaml);
    Diagnostics diagnostics(yaml);
    result.infra = infra::parse(root, diagnostics);
    try {
        diagnostics.throw_if_any();
    } catch (const Error& error) {
        for (const auto& item : error.diagnostics()) {
            result.problems += item.where.to_string() + ": " + item.message + "\n";
        }
    }
    return result;
}

}  // namespace

TEST_CASE("infra::parse: the example of calzion(1), INFRASTRUCTURE FILE") {
    Read result = read(R"(hosts:
  web1: {address: deploy@203.0.113.10, state_dir: /srv/calzion}
  db1:  deploy@203.0.113.11
instances:
  myapp-staging: {hosts: [web1], vars: {domain: staging.example.com}}
  myapp-prod:
    hosts: [web1, db1]
    place: {postgres: db1}
    domains: {web: www.example.com}
  myapp-big: {backend: swarm, manager: web1, scale: {web: 6}}
)");
    CHECK(result.problems == "");
    const auto& infra = result.infra;
    REQUIRE(infra.hosts.size() == 2);
    CHECK(infra.host("web1")->address == "deploy@203.0.113.10");
    CHECK(infra.host("web1")->state_dir == "/srv/calzion");
    CHECK(infra.host("db1")->address == "deploy@203.0.113.11");
    CHECK(infra.host("db1")->state_dir == "");
    const auto* staging = infra.instance("myapp-staging");
    REQUIRE(staging != nullptr);
    CHECK(staging->hosts == std::vector<std::string>{"web1"});
    CHECK(staging->vars.at("domain") == "staging.example.com");
    const auto* prod = infra.instance("myapp-prod");
    REQUIRE(prod != nullptr);
    CHECK(prod->hosts == std::vector<std::string>{"web1", "db1"});
    CHECK(prod->place.at("postgres") == "db1");
    CHECK(prod->domains.at("web") == std::vector<std::string>{"www.example.com"});
    CHECK(prod->service_where.at("postgres").line == 8);
    CHECK(prod->domain_where.at("www.example.com").to_string() == "infra.yaml:9:20");
    const auto* big = infra.instance("myapp-big");
    REQUIRE(big != nullptr);
    CHECK(big->backend == "swarm");
    CHECK(big->manager == "web1");
    CHECK(big->scale.at("web") == 6);
    CHECK(infra.router.image == "nginx:1.27-alpine");
    CHECK(infra.router.http_port == 80);
    CHECK(infra.instance("nope") == nullptr);
}

TEST_CASE("infra::parse: every problem, located") {
    Read result = read(R"(hosts:
  web1: {adress: x}
  db1: "-oProxyCommand=evil"
  Bad_Name: ok.example.com
  app1: {address: app1.example.com, state_dir: relative/dir}
instances:
  shop:
    hosts: [web1, wbe1, app1, app1]
    place: {db: db1}
    domains: {web: [Shop.Example.com, ok.example.com]}
    backend: kubernetes
    replicas: 3
  other: {hosts: [app1], domains: {web: ok.example.com}}
  empty:
router: {image: "nginx:1.27", http_prt: 8080}
)");
    CHECK(result.problems ==
          "infra.yaml:2:3: host \"web1\" has no \"address\"\n"
          "infra.yaml:2:10: unknown key \"adress\" in host \"web1\", did you mean \"address\"?\n"
          "infra.yaml:3:8: invalid host \"-oProxyCommand=evil\": a host name must not start with \"-\"\n"
          "infra.yaml:4:3: invalid host name \"Bad_Name\": a name starts with a lowercase letter or a digit\n"
          "infra.yaml:5:48: \"state_dir\" of host \"app1\" must be an absolute path\n"
          "infra.yaml:8:19: \"hosts\" of instance \"shop\" names host \"wbe1\", which \"hosts\" does not define, did you mean \"web1\"?\n"
          "infra.yaml:8:31: \"hosts\" of instance \"shop\" names \"app1\" twice\n"
          "infra.yaml:9:17: \"place\" of instance \"shop\" puts \"db\" on \"db1\", which is not among the instance's hosts\n"
          "infra.yaml:10:21: invalid domain \"Shop.Example.com\": it must be in lowercase\n"
          "infra.yaml:11:14: \"backend\" of instance \"shop\" must be one of \"docker\", \"swarm\", not \"kubernetes\"\n"
          "infra.yaml:12:5: unknown key \"replicas\" in instance \"shop\"\n"
          "infra.yaml:13:41: domain \"ok.example.com\" is used twice: by instance \"shop\" on line 10 and by \"other\"\n"
          "infra.yaml:14:3: instance \"empty\" names no \"hosts\"\n"
          "infra.yaml:15:31: unknown key \"http_prt\" in \"router\", did you mean \"http_port\"?\n");
}

TEST_CASE("infra::parse: not a mapping") {
    CHECK(read("- a\n- b\n").problems ==
          "infra.yaml:1:1: an infrastructure file is a mapping with \"hosts\" and \"instances\", not a list\n");
}
