#include "infra/parser.hpp"

#include "infra/checks.hpp"

#include <doctest/doctest.h>

#include <functional>
#include <map>
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
  myapp:
    hosts: [web1]
    previews:
      domains: {web: "{suffix}.staging.example.com"}
      vars: {url: "https://{suffix}.staging.example.com"}
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
    CHECK(infra.instance("myapp-staging") == staging);  // listed, not a preview of "myapp"
    const auto* preview = infra.instance("myapp-pr-42");
    REQUIRE(preview != nullptr);
    CHECK(preview->domains.at("web") == std::vector<std::string>{"pr-42.staging.example.com"});
    CHECK(preview->vars.at("url") == "https://pr-42.staging.example.com");
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

namespace {

// The problems `work` throws, each "file:line:col: message", and its kind.
std::string thrown(const std::function<void()>& work, ErrorKind kind) {
    try {
        work();
    } catch (const Error& error) {
        CHECK(error.kind() == kind);
        std::string problems;
        for (const auto& item : error.diagnostics()) {
            problems += item.where.to_string() + ": " + item.message + "\n";
        }
        return problems.empty() ? error.message() : problems;
    }
    FAIL("no error");
    return "";
}

const char* const k_previews = R"(hosts:
  web1: deploy@203.0.113.10
  web2: deploy@203.0.113.11
instances:
  myapp:
    hosts: [web1, web2]
    place: {db: web2}
    builder: web1
    vars: {tier: staging, url: "https://staging.example.com"}
    domains: {web: staging.example.com}
    previews:
      domains:
        web: "{suffix}.staging.example.com"
        api: ["api-{suffix}.staging.example.com", "{suffix}-{suffix}.example.com"]
      vars: {url: "https://{suffix}.staging.example.com", note: "{suffix} and {suffix}"}
  myapp-pr-9: {hosts: [web1], domains: {web: pr-10.staging.example.com}}
  myapp-eu: {hosts: [web2], previews: }
)";

}  // namespace

TEST_CASE("infra::Infrastructure::preview") {
    Read result = read(k_previews);
    REQUIRE(result.problems == "");
    const auto& infra = result.infra;

    SUBCASE("a preview has its base's hosts, place and vars, and its own domains and vars") {
        const infra::Instance* preview = infra.instance("myapp-pr-42");
        REQUIRE(preview != nullptr);
        CHECK(preview->name == "myapp-pr-42");
        CHECK(preview->hosts == std::vector<std::string>{"web1", "web2"});
        CHECK(preview->place == std::map<std::string, std::string>{{"db", "web2"}});
        CHECK(preview->builder == "web1");
        CHECK(preview->backend == "docker");
        CHECK(preview->vars == std::map<std::string, std::string>{{"note", "pr-42 and pr-42"},
                                                                   {"preview_suffix", "pr-42"},
                                                                   {"tier", "staging"},
                                                                   {"url", "https://pr-42.staging.example.com"}});
        CHECK(preview->domains ==
              std::map<std::string, std::vector<std::string>>{
                  {"api", {"api-pr-42.staging.example.com", "pr-42-pr-42.example.com"}},
                  {"web", {"pr-42.staging.example.com"}}});
        CHECK(preview->domain_where.at("pr-42.staging.example.com").to_string() == "infra.yaml:13:14");
        CHECK(preview->service_where.at("api").to_string() == "infra.yaml:14:9");
        CHECK(preview->service_where.at("db").to_string() == "infra.yaml:7:13");
        CHECK_FALSE(preview->previews.has_value());
        CHECK(infra.instance("myapp-pr-42") == preview);  // derived once, kept
        CHECK(infra.preview("myapp-pr-42")->domains == preview->domains);
    }
    SUBCASE("the base is untouched, a listed instance wins, the longest base with previews is the base") {
        CHECK(infra.instance("myapp")->domains.at("web") == std::vector<std::string>{"staging.example.com"});
        CHECK(infra.instance("myapp")->vars.count("preview_suffix") == 0);
        CHECK(infra.instance("myapp-pr-9")->hosts == std::vector<std::string>{"web1"});
        CHECK(infra.preview("myapp-pr-9") == std::nullopt);
        CHECK(infra.preview("myapp") == std::nullopt);
        CHECK(infra.instance("myapp-pr-9-x")->hosts == std::vector<std::string>{"web1", "web2"});  // myapp's
        const infra::Instance* eu = infra.instance("myapp-eu-pr-3");
        REQUIRE(eu != nullptr);
        CHECK(eu->hosts == std::vector<std::string>{"web2"});
        CHECK(eu->domains.empty());
        CHECK(eu->vars == std::map<std::string, std::string>{{"preview_suffix", "pr-3"}});
        CHECK(infra.instance("other-pr-3") == nullptr);
        CHECK(infra.instance("myapp-") == nullptr);
    }
    SUBCASE("a copy derives its own") {
        infra::Infrastructure copy = infra;
        const infra::Instance* preview = copy.instance("myapp-pr-1");
        REQUIRE(preview != nullptr);
        CHECK(preview != infra.instance("myapp-pr-1"));
        CHECK(preview->domains == infra.instance("myapp-pr-1")->domains);
    }
    SUBCASE("a suffix that is no name") {
        CHECK(thrown([&] { infra.instance("myapp--x"); }, ErrorKind::usage) ==
              "invalid preview suffix \"-x\" of instance \"myapp--x\": a name starts with a lowercase letter or a digit");
        CHECK(thrown([&] { infra.instance("myapp-Pr-1"); }, ErrorKind::usage) ==
              "invalid instance name \"myapp-Pr-1\": a name has only lowercase letters, digits and \"-\"");
    }
    SUBCASE("a derived domain that is invalid, or another instance's") {
        CHECK(thrown([&] { infra.instance("myapp-pr-10"); }, ErrorKind::invalid_data) ==
              "infra.yaml:13:14: domain \"pr-10.staging.example.com\" of preview instance \"myapp-pr-10\" is used by "
              "instance \"myapp-pr-9\" on line 16\n");
        std::string suffix(40, 'a');
        CHECK(thrown([&] { infra.instance("myapp-" + suffix); }, ErrorKind::invalid_data) ==
              "infra.yaml:14:51: invalid domain \"" + suffix + "-" + suffix + ".example.com\" of preview instance \"myapp-" +
                  suffix + "\": a label is longer than 63 characters\n");
        // Nothing is kept of a preview that failed: asking again fails again.
        CHECK(thrown([&] { infra.instance("myapp-pr-10"); }, ErrorKind::invalid_data) != "");
    }
}

TEST_CASE("infra::check_services: a preview's services") {
    Read result = read(k_previews);
    REQUIRE(result.problems == "");
    CHECK(thrown([&] { infra::check_services(result.infra, "myapp-pr-42", {"web", "db"}); }, ErrorKind::invalid_data) ==
          "infra.yaml:14:9: instance \"myapp-pr-42\" names service \"api\", which the template does not have\n");
    CHECK_NOTHROW(infra::check_services(result.infra, "myapp", {"web", "db"}));
    CHECK_NOTHROW(infra::check_services(result.infra, "myapp-pr-42", {"web", "db", "api"}));
}

TEST_CASE("infra::parse: previews, every problem located") {
    Read result = read(R"(hosts:
  web1: x.example.com
instances:
  a:
    hosts: [web1]
    previews:
      domains: {web: [pr.example.com, "{suffix}.Example.com", "{suffix}.a.example.com"]}
      vars: [x]
      prefix: no
  b:
    hosts: [web1]
    previews: {domains: {web: "{suffix}.a.example.com"}}
  c: {hosts: [web1], previews: yes}
)");
    CHECK(result.problems ==
          "infra.yaml:7:23: domain pattern \"pr.example.com\" in \"domains\" of \"previews\" of instance \"a\" must "
          "hold \"{suffix}\", which each preview replaces with its own\n"
          "infra.yaml:7:39: invalid domain pattern \"{suffix}.Example.com\": it must be in lowercase\n"
          "infra.yaml:8:14: an item of \"vars\" of \"previews\" of instance \"a\" must read NAME=value, not \"x\"\n"
          "infra.yaml:9:7: unknown key \"prefix\" in \"previews\" of instance \"a\"\n"
          "infra.yaml:12:31: domain pattern \"{suffix}.a.example.com\" is used twice: by instance \"a\" on line 7 "
          "and by \"b\"\n"
          "infra.yaml:13:32: \"previews\" of instance \"c\" must be a mapping, not a scalar\n");
}

namespace {

const char* const k_swarm = R"(hosts:
  node1: deploy@10.0.0.1
  node2: deploy@10.0.0.2
  node3: deploy@10.0.0.3
  db1: deploy@10.0.0.9
registry: 10.0.0.1:5000/calzion
instances:
  big:
    backend: swarm
    manager: node1
    hosts: [node2, node3]
    scale: {web: 6, worker: 0}
    place:
      db: node3
      web: {labels: {zone: east, disk.kind: ssd}}
    edges: [node1, node2]
    endpoint_mode: dnsrr
    publish_mode: host
    builder: node2
    previews: {}
  small: {backend: swarm, manager: db1}
)";

}  // namespace

TEST_CASE("infra::parse: a swarm instance") {
    Read result = read(k_swarm);
    REQUIRE(result.problems == "");
    const auto& infra = result.infra;
    CHECK(infra.registry == "10.0.0.1:5000/calzion");
    const infra::Instance* big = infra.instance("big");
    REQUIRE(big != nullptr);
    CHECK(big->backend == "swarm");
    CHECK(big->manager == "node1");
    // The manager is a node even when "hosts" does not list it: first then.
    CHECK(big->hosts == std::vector<std::string>{"node1", "node2", "node3"});
    CHECK(big->scale == std::map<std::string, int>{{"web", 6}, {"worker", 0}});
    CHECK(big->place == std::map<std::string, std::string>{{"db", "node3"}});
    CHECK(big->place_labels ==
          std::map<std::string, std::map<std::string, std::string>>{{"web", {{"disk.kind", "ssd"}, {"zone", "east"}}}});
    CHECK(big->service_where.at("web").to_string() == "infra.yaml:12:13");
    CHECK(big->service_where.at("db").to_string() == "infra.yaml:14:7");
    CHECK(big->service_where.at("worker").to_string() == "infra.yaml:12:21");
    CHECK(big->edges == std::vector<std::string>{"node1", "node2"});
    CHECK(big->endpoint_mode == "dnsrr");
    CHECK(big->publish_mode == "host");
    CHECK(big->builder == "node2");
    const infra::Instance* small = infra.instance("small");
    REQUIRE(small != nullptr);
    CHECK(small->hosts == std::vector<std::string>{"db1"});  // a swarm of one node
    CHECK(small->edges.empty());
    CHECK(small->endpoint_mode == "");
    CHECK(small->publish_mode == "");

    SUBCASE("a preview inherits every swarm setting") {
        const infra::Instance* preview = infra.instance("big-pr-7");
        REQUIRE(preview != nullptr);
        CHECK(preview->backend == "swarm");
        CHECK(preview->manager == "node1");
        CHECK(preview->hosts == big->hosts);
        CHECK(preview->scale == big->scale);
        CHECK(preview->place == big->place);
        CHECK(preview->place_labels == big->place_labels);
        CHECK(preview->edges == big->edges);
        CHECK(preview->endpoint_mode == "dnsrr");
        CHECK(preview->publish_mode == "host");
        CHECK(preview->builder == "node2");
    }
    SUBCASE("check_services: scale and place by labels name services too") {
        CHECK(thrown([&] { infra::check_services(infra, "big", {"web", "db"}); }, ErrorKind::invalid_data) ==
              "infra.yaml:12:21: instance \"big\" names service \"worker\", which the template does not have\n");
        CHECK(thrown([&] { infra::check_services(infra, "big", {"wbe", "db", "worker"}); }, ErrorKind::invalid_data) ==
              "infra.yaml:12:13: instance \"big\" names service \"web\", which the template does not have, did you "
              "mean \"wbe\"?\n");
    }
}

TEST_CASE("infra::parse: swarm settings, every problem located") {
    Read result = read(R"(hosts:
  node1: deploy@10.0.0.1
  node2: deploy@10.0.0.2
  db1: deploy@10.0.0.9
instances:
  plain:
    hosts: [db1]
    manager: db1
    scale: {web: 2}
    edges: [db1]
    endpoint_mode: vip
    publish_mode: host
    place: {web: {labels: {zone: east}}}
  big:
    backend: swarm
    manager: nod1
    hosts: [node2]
    place:
      db: db1
      web: {labels: {"zone!": east, tier: "a b"}}
      api: {label: {zone: east}}
      cache: {labels: {}}
      queue: {labels: [zone=east]}
    edges: [node2, db1, nodd2, node2]
    endpoint_mode: vpi
    publish_mode: routing
    builder: db1
  nomanager: {backend: swarm, hosts: [node1], builder: node1}
)");
    CHECK(result.problems ==
          "infra.yaml:8:5: \"manager\" is a setting of the swarm backend, but instance \"plain\" uses docker (set "
          "\"backend: swarm\")\n"
          "infra.yaml:9:5: \"scale\" is a setting of the swarm backend, but instance \"plain\" uses docker (set "
          "\"backend: swarm\")\n"
          "infra.yaml:10:5: \"edges\" is a setting of the swarm backend, but instance \"plain\" uses docker (set "
          "\"backend: swarm\")\n"
          "infra.yaml:11:5: \"endpoint_mode\" is a setting of the swarm backend, but instance \"plain\" uses docker "
          "(set \"backend: swarm\")\n"
          "infra.yaml:12:5: \"publish_mode\" is a setting of the swarm backend, but instance \"plain\" uses docker "
          "(set \"backend: swarm\")\n"
          "infra.yaml:13:18: a place by node labels is a setting of the swarm backend, but instance \"plain\" uses "
          "docker (set \"backend: swarm\")\n"
          "infra.yaml:16:14: \"manager\" of instance \"big\" names host \"nod1\", which \"hosts\" does not define, did "
          "you mean \"node1\"?\n"
          "infra.yaml:19:11: \"place\" of instance \"big\" puts \"db\" on \"db1\", which is not among the instance's "
          "nodes\n"
          "infra.yaml:20:22: invalid node label \"zone!\" in the place of \"web\" in \"place\" of instance \"big\": a "
          "label name starts with a letter or a digit and has only letters, digits, \".\", \"-\" and \"_\"\n"
          "infra.yaml:20:43: invalid value \"a b\" of node label \"tier\" in the place of \"web\" in \"place\" of "
          "instance \"big\": a label value is not empty and has only letters, digits, \".\", \"-\", \"_\", \":\" and "
          "\"/\"\n"
          "infra.yaml:21:12: the place of \"api\" in \"place\" of instance \"big\" names no \"labels\"\n"
          "infra.yaml:21:13: unknown key \"label\" in the place of \"api\" in \"place\" of instance \"big\", did you "
          "mean \"labels\"?\n"
          "infra.yaml:22:23: \"labels\" of the place of \"cache\" in \"place\" of instance \"big\" names no label\n"
          "infra.yaml:23:23: \"labels\" of the place of \"queue\" in \"place\" of instance \"big\" must be a mapping, "
          "not a list\n"
          "infra.yaml:24:20: \"edges\" of instance \"big\" names \"db1\", which is not among the instance's nodes\n"
          "infra.yaml:24:25: \"edges\" of instance \"big\" names host \"nodd2\", which \"hosts\" does not define, did "
          "you mean \"node2\"?\n"
          "infra.yaml:24:32: \"edges\" of instance \"big\" names \"node2\" twice\n"
          "infra.yaml:25:20: \"endpoint_mode\" of instance \"big\" must be one of \"vip\", \"dnsrr\", not \"vpi\", did "
          "you mean \"vip\"?\n"
          "infra.yaml:26:19: \"publish_mode\" of instance \"big\" must be one of \"ingress\", \"host\", not "
          "\"routing\"\n"
          "infra.yaml:27:14: \"builder\" of instance \"big\" must be one of its nodes (its \"hosts\" and its "
          "\"manager\"), not \"db1\"\n"
          "infra.yaml:28:14: instance \"nomanager\" uses the swarm backend and needs a \"manager\" host\n");
}

TEST_CASE("infra::parse: the registry") {
    auto problem = [](const std::string& registry) {
        return read("hosts: {h1: x.example.com}\nregistry: " + registry + "\ninstances: {a: {hosts: [h1]}}\n").problems;
    };
    CHECK(problem("10.0.0.2:5000") == "");
    CHECK(problem("registry.example.com") == "");
    CHECK(problem("localhost/team/apps") == "");
    CHECK(read("hosts: {h1: x.example.com}\nregistry: reg.example.com:443/team\n").infra.registry ==
          "reg.example.com:443/team");
    CHECK(problem("https://reg.example.com:5000") ==
          "infra.yaml:2:11: invalid \"registry\" \"https://reg.example.com:5000\": write it without a scheme, as "
          "docker names images: \"reg.example.com:5000\"\n");
    CHECK(problem("\"reg.example.com /x\"") ==
          "infra.yaml:2:11: invalid \"registry\" \"reg.example.com /x\": it must not hold spaces\n");
    CHECK(problem("myregistry") ==
          "infra.yaml:2:11: invalid \"registry\" \"myregistry\": its host must hold a \".\" or a port "
          "(\"myregistry:5000\"), or be \"localhost\"\n");
    CHECK(problem("reg.example.com/Team") ==
          "infra.yaml:2:11: invalid \"registry\" \"reg.example.com/Team\": it must read HOST[:PORT][/PATH] "
          "(\"10.0.0.2:5000\"): image names have lowercase letters, digits and separators (\".\", \"_\", \"-\") "
          "between them\n");
    CHECK(problem("[a]") == "infra.yaml:2:11: \"registry\" must be a string, not a list\n");
    CHECK(read("hosts: {h1: x.example.com}\nregsitry: a.example.com\n").problems ==
          "infra.yaml:2:1: unknown key \"regsitry\" in the infrastructure file, did you mean \"registry\"?\n");
}
