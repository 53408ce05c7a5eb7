#include "tmpl/parser.hpp"

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

#include "template_helpers.hpp"
#include "tmpl/spec.hpp"

using calzion::testing::joined;
using calzion::testing::parse;
using calzion::testing::Parsed;
using calzion::testing::validate_problems;
using calzion::tmpl::Service;
using calzion::tmpl::Template;
using calzion::tmpl::Volume;

namespace {

using Words = std::vector<std::string>;
using Env = std::map<std::string, std::string>;

// The template of the YAML, which must have no problem (in lenient mode: a value
// with a reference is taken as it is).
Template parsed(const std::string& yaml, bool lenient = false) {
    Parsed result = parse(yaml, lenient);
    INFO(joined(result.problems));
    CHECK(result.problems.empty());
    return result.spec;
}

// The problems parse() finds, one per line.
std::string problems(const std::string& yaml, bool lenient = false) { return joined(parse(yaml, lenient).problems); }

const Service& service(const Template& spec, const std::string& name) {
    const Service* found = spec.find(name);
    REQUIRE_MESSAGE(found != nullptr, name);
    return *found;
}

// "kind source target ro|rw" for each volume.
std::vector<std::string> volumes_of(const Service& service) {
    std::vector<std::string> out;
    const char* kinds[] = {"instance", "named", "bind"};
    for (const auto& volume : service.volumes) {
        out.push_back(std::string(kinds[static_cast<int>(volume.kind)]) + " " + volume.source + " " + volume.target +
                      (volume.read_only ? " ro" : " rw"));
    }
    return out;
}

// Every setting of a service with nothing set but its image.
void check_defaults(const Service& s) {
    CHECK_FALSE(s.git);
    CHECK_FALSE(s.build);
    CHECK_FALSE(s.cmd);
    CHECK_FALSE(s.entrypoint);
    CHECK(s.env.empty());
    CHECK(s.secrets.empty());
    CHECK(s.volumes.empty());
    CHECK(s.ports.empty());
    CHECK(s.registered.empty());
    CHECK(s.expose.empty());
    CHECK(s.depends_on.empty());
    CHECK(s.depends_on_where.empty());
    CHECK_FALSE(s.healthcheck);
    CHECK(s.init.empty());
    CHECK(s.restart == "unless-stopped");
    CHECK(s.update == "");
    CHECK(s.labels.empty());
    CHECK(s.user == "");
    CHECK(s.workdir == "");
    CHECK(s.memory == "");
    CHECK(s.cpus == "");
    CHECK(s.options.empty());
}

// The first example of calzion-template(5).
const std::string k_spec_example = R"(elsdoerfer/rethinkdb:            # service "rethinkdb", image elsdoerfer/rethinkdb
  cmd: rethinkdb --bind all
  volumes: [/rethinkdb]
  register: {28015: driver, 29015: cluster, 8080: web}
app:
  git: .                         # build this repository's Dockerfile
  cmd: web
  expose: {"rethinkdb:driver": RETHINKDB_URI}

mycompany/redis:                 # a service with no settings at all is valid
mycompany/postgres:
)";

// A service using every key of calzion-template(5).
const std::string k_every_key = R"(services:
  db:
    image: postgres:16
    register: {5432: sql}
  web:
    build:
      context: ./web
      dockerfile: Dockerfile.prod
      args: {VERSION: 1.2, DEBUG: "false"}
      target: runtime
    cmd: [python, -m, app]
    entrypoint: /entry.sh --flag "two words" 'it''s'
    env:
      A: 1
      B: two words
    secrets: [DB_PASSWORD, API_KEY]
    volumes: [/data, "cache:/cache:ro", "/srv/conf:/etc/app:ro"]
    ports: ["8080:80", "127.0.0.1:9090:9090/udp", 443]
    register: {80: http, 9090: metrics}
    expose:
      "db:sql": {env: DATABASE_URL, format: "postgres://{host}:{port}/app"}
      "db:5432": DB_ADDR
    depends_on: [db]
    healthcheck: {cmd: curl -f http://localhost/, interval: 10, timeout: 5s, retries: 3, start_period: 1m30s}
    init: [manage migrate, [manage, create user]]
    restart: on-failure:5
    update: stop-first
    labels: {team: web, com.example.tier: front}
    user: "1000:1000"
    workdir: /app
    memory: 512m
    cpus: "0.5"
    options: --cap-add NET_ADMIN --ulimit nofile=1024
    pull: never
  worker:
    git: ../worker
    cmd: worker
    healthcheck:
      cmd: [CMD, /bin/check, --quick]
    init: setup --once
    env: [MODE=fast, EMPTY=, "WITH=equals=sign"]
    labels: ["a=b"]
)";

}  // namespace

TEST_CASE("tmpl::parser") {
    SUBCASE("the short form: the short example of calzion-template(5)") {
        Template spec = parsed(k_spec_example);
        CHECK(spec.file == "t.yaml");
        CHECK(spec.env.empty());
        CHECK(spec.vars.empty());
        CHECK(spec.min_version == "");
        REQUIRE(spec.services.size() == 4);
        CHECK(spec.services[0].name == "rethinkdb");
        CHECK(spec.services[1].name == "app");
        CHECK(spec.services[2].name == "redis");
        CHECK(spec.services[3].name == "postgres");

        const Service& rethinkdb = spec.services[0];
        CHECK(rethinkdb.where.to_string() == "t.yaml:1:1");
        CHECK(rethinkdb.image == "elsdoerfer/rethinkdb");
        CHECK(rethinkdb.cmd == std::optional<Words>(Words{"rethinkdb", "--bind", "all"}));
        CHECK(volumes_of(rethinkdb) == Words{"instance  /rethinkdb rw"});
        CHECK(rethinkdb.registered == std::map<int, std::string>{{8080, "web"}, {28015, "driver"}, {29015, "cluster"}});
        CHECK_FALSE(rethinkdb.git);
        CHECK(rethinkdb.expose.empty());

        const Service& app = spec.services[1];
        CHECK(app.where.to_string() == "t.yaml:5:1");
        CHECK(app.image == "");
        CHECK(app.git == std::optional<std::string>("."));
        CHECK_FALSE(app.build);
        CHECK(app.cmd == std::optional<Words>(Words{"web"}));
        REQUIRE(app.expose.size() == 1);
        CHECK(app.expose[0].service == "rethinkdb");
        CHECK(app.expose[0].port == "driver");
        CHECK(app.expose[0].env == "RETHINKDB_URI");
        CHECK(app.expose[0].format == "{host}:{port}");
        CHECK(app.expose[0].where.to_string() == "t.yaml:8:12");
        CHECK(app.volumes.empty());
        CHECK(app.registered.empty());

        for (const char* name : {"redis", "postgres"}) {
            const Service& bare = service(spec, name);
            CHECK(bare.image == std::string("mycompany/") + name);
            check_defaults(bare);
        }
        CHECK(service(spec, "postgres").where.to_string() == "t.yaml:11:1");
    }

    SUBCASE("the short form: its two parts on their own") {
        Template first = parsed(k_spec_example.substr(0, k_spec_example.find("\nmycompany")));
        REQUIRE(first.services.size() == 2);
        CHECK(first.services[1].expose.size() == 1);
        Template second = parsed("mycompany/redis:                 # a service with no settings at all is valid\n"
                                 "mycompany/postgres:\n");
        REQUIRE(second.services.size() == 2);
        CHECK(second.services[0].image == "mycompany/redis");
        CHECK(second.services[1].image == "mycompany/postgres");
    }

    SUBCASE("the short form: a bare key is a service with that image; `image` wins over the key") {
        Template spec = parsed("redis:\nweb: {image: nginx}\nmycompany/cache:7: {image: \"redis:7.2\"}\n");
        CHECK(service(spec, "redis").image == "redis");
        CHECK(service(spec, "web").image == "nginx");
        REQUIRE(spec.services.size() == 3);
        CHECK(spec.services[2].name == "cache");
        CHECK(spec.services[2].image == "redis:7.2");
    }

    SUBCASE("the long form, with every reserved top-level key") {
        Template spec = parsed(R"(calzion: {min_version: "0.1"}
vars: {TAG: "1.25", PORT: 8080}
env: {LOG_LEVEL: info, TZ: UTC}
services:
  web: {image: "nginx:${TAG}"}
  mycompany/api:
)",
                               true);
        CHECK(spec.min_version == "0.1");
        CHECK(spec.min_version_where.to_string() == "t.yaml:1:24");
        CHECK(spec.vars == Env{{"PORT", "8080"}, {"TAG", "1.25"}});
        CHECK(spec.env == Env{{"LOG_LEVEL", "info"}, {"TZ", "UTC"}});
        REQUIRE(spec.services.size() == 2);
        CHECK(spec.services[0].image == "nginx:${TAG}");
        CHECK(spec.services[1].name == "api");
        CHECK(spec.services[1].image == "mycompany/api");
        CHECK(spec.services[1].where.to_string() == "t.yaml:6:3");
    }

    SUBCASE("reserved keys in the short form are not services; env may be a list") {
        Template spec = parsed("env: [A=1, B=x=y]\nvars: {V: v}\nweb:\n");
        CHECK(spec.env == Env{{"A", "1"}, {"B", "x=y"}});
        REQUIRE(spec.services.size() == 1);
        CHECK(spec.services[0].name == "web");
    }

    SUBCASE("every service key, into typed values") {
        Template spec = parsed(k_every_key);
        const Service& web = service(spec, "web");
        CHECK(web.image == "");
        CHECK_FALSE(web.git);
        REQUIRE(web.build);
        CHECK(web.build->context == "./web");
        CHECK(web.build->dockerfile == "Dockerfile.prod");
        CHECK(web.build->args == Env{{"DEBUG", "false"}, {"VERSION", "1.2"}});
        CHECK(web.build->target == "runtime");
        CHECK(web.cmd == std::optional<Words>(Words{"python", "-m", "app"}));
        CHECK(web.entrypoint == std::optional<Words>(Words{"/entry.sh", "--flag", "two words", "its"}));
        CHECK(web.env == Env{{"A", "1"}, {"B", "two words"}});
        CHECK(web.secrets == Words{"DB_PASSWORD", "API_KEY"});
        CHECK(volumes_of(web) == Words{"instance  /data rw", "named cache /cache ro", "bind /srv/conf /etc/app ro"});
        REQUIRE(web.ports.size() == 3);
        CHECK(web.ports[0].host_ip == "");
        CHECK(web.ports[0].host_port == 8080);
        CHECK(web.ports[0].container_port == 80);
        CHECK(web.ports[0].protocol == "tcp");
        CHECK(web.ports[1].host_ip == "127.0.0.1");
        CHECK(web.ports[1].host_port == 9090);
        CHECK(web.ports[1].container_port == 9090);
        CHECK(web.ports[1].protocol == "udp");
        CHECK(web.ports[2].host_port == 0);
        CHECK(web.ports[2].container_port == 443);
        CHECK(web.registered == std::map<int, std::string>{{80, "http"}, {9090, "metrics"}});
        REQUIRE(web.expose.size() == 2);
        CHECK(web.expose[0].service == "db");
        CHECK(web.expose[0].port == "sql");
        CHECK(web.expose[0].env == "DATABASE_URL");
        CHECK(web.expose[0].format == "postgres://{host}:{port}/app");
        CHECK(web.expose[1].port == "5432");
        CHECK(web.expose[1].env == "DB_ADDR");
        CHECK(web.expose[1].format == "{host}:{port}");
        CHECK(web.depends_on == Words{"db"});
        REQUIRE(web.depends_on_where.size() == 1);
        CHECK(web.depends_on_where[0].to_string() == "t.yaml:23:18");
        REQUIRE(web.healthcheck);
        CHECK(web.healthcheck->cmd == Words{"curl -f http://localhost/"});
        CHECK(web.healthcheck->interval == "10s");
        CHECK(web.healthcheck->timeout == "5s");
        CHECK(web.healthcheck->retries == std::optional<int>(3));
        CHECK(web.healthcheck->start_period == "1m30s");
        CHECK(web.init == std::vector<Words>{{"manage", "migrate"}, {"manage", "create user"}});
        CHECK(web.restart == "on-failure:5");
        CHECK(web.update == "stop-first");
        CHECK(web.labels == Env{{"com.example.tier", "front"}, {"team", "web"}});
        CHECK(web.user == "1000:1000");
        CHECK(web.workdir == "/app");
        CHECK(web.memory == "512m");
        CHECK(web.cpus == "0.5");
        CHECK(web.options == Words{"--cap-add", "NET_ADMIN", "--ulimit", "nofile=1024"});
        CHECK(web.pull == "never");

        const Service& worker = service(spec, "worker");
        CHECK(worker.image == "");
        CHECK(worker.git == std::optional<std::string>("../worker"));
        CHECK(worker.cmd == std::optional<Words>(Words{"worker"}));
        REQUIRE(worker.healthcheck);
        CHECK(worker.healthcheck->cmd == Words{"CMD", "/bin/check", "--quick"});
        CHECK(worker.healthcheck->interval == "");
        CHECK_FALSE(worker.healthcheck->retries);
        CHECK(worker.init == std::vector<Words>{{"setup", "--once"}});
        CHECK(worker.env == Env{{"EMPTY", ""}, {"MODE", "fast"}, {"WITH", "equals=sign"}});
        CHECK(worker.labels == Env{{"a", "b"}});
        CHECK(worker.pull == "");
    }

    SUBCASE("init: a list of commands, each a string or a list of words; words alone are a mistake") {
        Template spec = parsed("a: {init: [[sh, -c, \"x y\"], \"make db\"]}\n");
        CHECK(service(spec, "a").init == std::vector<Words>{{"sh", "-c", "x y"}, {"make", "db"}});
        CHECK(problems("a: {init: [sh, -c, \"x y\"]}\n") ==
              R"(t.yaml:1:16: a command of "init" in service "a" starts with "-c": each item is a command; write one command as words in a list of its own, [[sh, -c, "..."]])");
    }

    SUBCASE("pull: always, missing or never; anything else is located, with a did-you-mean") {
        Template spec = parsed("a: {pull: always}\nb: {pull: missing}\nc: {pull: never}\n");
        CHECK(service(spec, "a").pull == "always");
        CHECK(service(spec, "b").pull == "missing");
        CHECK(service(spec, "c").pull == "never");
        CHECK(problems("web:\n  pull: allways\ndb:\n  pull: [never]\nq:\n  pull: sometimes\n") ==
              R"(t.yaml:2:9: "pull" in service "web" must be one of "always", "missing", "never", not "allways", did you mean "always"?
t.yaml:4:9: "pull" in service "db" must be a string, not a list
t.yaml:6:9: "pull" in service "q" must be one of "always", "missing", "never", not "sometimes")");
        CHECK(problems("web: {image: x, pul: never}\n") ==
              R"(t.yaml:1:17: unknown key "pul" in service "web", did you mean "pull"?)");
    }

    SUBCASE("build as a path; durations; restart and update choices") {
        Template spec = parsed(R"(a: {build: ./src, restart: "no", update: start-first,
    healthcheck: {cmd: x, interval: 500ms, timeout: 1h2m3s, start_period: 0}}
b: {image: x, restart: always}
c: {image: x, restart: on-failure}
)");
        REQUIRE(service(spec, "a").build);
        CHECK(service(spec, "a").build->context == "./src");
        CHECK(service(spec, "a").build->dockerfile == "");
        CHECK(service(spec, "a").restart == "no");
        CHECK(service(spec, "a").update == "start-first");
        CHECK(service(spec, "a").healthcheck->interval == "500ms");
        CHECK(service(spec, "a").healthcheck->timeout == "1h2m3s");
        CHECK(service(spec, "a").healthcheck->start_period == "0s");
        CHECK(service(spec, "b").restart == "always");
        CHECK(service(spec, "c").restart == "on-failure");
        // An empty workdir leaves the image's own.
        CHECK(parsed("a: {workdir: \"\"}\n").services[0].workdir == "");
    }

    SUBCASE("unknown keys, with a did-you-mean where one is close") {
        CHECK(problems("web:\n  imgae: nginx\n  command: x\n  volume: [/d]\n  environment: {A: b}\n") ==
              R"(t.yaml:2:3: unknown key "imgae" in service "web", did you mean "image"?
t.yaml:3:3: unknown key "command" in service "web", did you mean "cmd"?
t.yaml:4:3: unknown key "volume" in service "web", did you mean "volumes"?
t.yaml:5:3: unknown key "environment" in service "web", did you mean "env"?)");
        CHECK(problems("services:\n  web:\nservics: {}\nextra: 1\n") ==
              R"(t.yaml:3:1: unknown top-level key "servics", did you mean "services"?
t.yaml:4:1: unknown top-level key "extra": with "services:", every service goes under it)");
        CHECK(problems("calzion: {min_versoin: 1}\nweb:\n") ==
              R"(t.yaml:1:11: unknown key "min_versoin" in "calzion", did you mean "min_version"?)");
        CHECK(problems("web: {image: x, healthcheck: {cmd: x, intervall: 5s}, build: {contxt: .}}\n") ==
              R"(t.yaml:1:6: service "web" has both "image" and "git" or "build": built images are named by calzion
t.yaml:1:39: unknown key "intervall" in "healthcheck" in service "web", did you mean "interval"?
t.yaml:1:63: unknown key "contxt" in "build" in service "web", did you mean "context"?)");
        CHECK(problems("db: {register: {5432: sql}}\nweb: {expose: {\"db:sql\": {env: X, fromat: y}}}\n") ==
              R"(t.yaml:2:35: unknown key "fromat" in "db:sql" in "expose" in service "web", did you mean "format"?)");
    }

    SUBCASE("wrong types") {
        CHECK(problems(R"(web:
  image: [a]
  cmd: {a: 1}
  env: x
  volumes: /data
  ports: {a: 1}
  register: [80]
  expose: [x]
  depends_on: db
  healthcheck: curl
  init: {a: 1}
  restart: [x]
  labels: [novalue]
  user: [x]
  git:
  entrypoint: {}
  secrets: x
  build: [x]
  options: [--a, {b: c}]
)") == R"(t.yaml:2:10: "image" in service "web" must be a string, not a list
t.yaml:3:8: "cmd" in service "web" must be a string or a list of strings, not a mapping
t.yaml:4:8: "env" in service "web" must be a mapping of names to values, not a scalar
t.yaml:5:12: "volumes" in service "web" must be a list of strings, not a scalar
t.yaml:6:10: "ports" in service "web" must be a list of strings, not a mapping
t.yaml:7:13: "register" in service "web" must be a mapping of port numbers to names, not a list
t.yaml:8:11: "expose" in service "web" must be a mapping of "service:port" to a variable name, not a list
t.yaml:9:15: "depends_on" in service "web" must be a list of strings, not a scalar
t.yaml:10:16: "healthcheck" in service "web" must be a mapping of "cmd", "interval", "timeout", "retries" and "start_period", not a scalar
t.yaml:11:9: "init" in service "web" must be a command or a list of commands, not a mapping
t.yaml:12:12: "restart" in service "web" must be a string, not a list
t.yaml:13:12: an item of "labels" in service "web" must read NAME=value, not "novalue"
t.yaml:14:9: "user" in service "web" must be a string, not a list
t.yaml:15:3: "git" in service "web" has no value: expected a string
t.yaml:16:15: "entrypoint" in service "web" must be a string or a list of strings, not a mapping
t.yaml:17:12: "secrets" in service "web" must be a list of strings, not a scalar
t.yaml:18:10: "build" in service "web" must be a path or a mapping of "context", "dockerfile", "args" and "target", not a list
t.yaml:19:18: an item of "options" in service "web" must be a string, not a mapping)");
    }

    SUBCASE("wrong values") {
        CHECK(problems(R"(web:
  image: Nginx
  restart: sometimes
  update: later
  memory: lots
  cpus: "-1"
  volumes: [data, ":/x"]
  ports: ["99999", "80/http"]
  register: {http: x, 70000: y, 81: Bad_Name, 82: web, 83: web}
  healthcheck: {cmd: x, interval: soon, retries: many, timeout: 5y}
  options: --name x --rm --network=host -d
  cmd: ""
  entrypoint: "unterminated 'quote"
  workdir: relative/path
  secrets: [lower-case, OK_1]
  env: {GOOD: 1, BAD-NAME: 2, 9X: 3}
  labels: {io.calzion.service: x, ok: y}
)") == R"(t.yaml:2:10: "image" in service "web" is not a valid image reference: image names have lowercase letters, digits and separators (".", "_", "-") between them
t.yaml:3:12: "restart" in service "web" must be "no", "always", "unless-stopped" or "on-failure[:N]", not "sometimes"
t.yaml:4:11: "update" in service "web" must be one of "start-first", "stop-first", not "later"
t.yaml:5:11: "memory" in service "web" must be a size such as "512m" or "2g", not "lots"
t.yaml:6:9: "cpus" in service "web" must be a positive number such as "0.5" or "2", not "-1"
t.yaml:7:13: invalid volume "data": the path in the container must be absolute, without "." or "..", and not "/"
t.yaml:7:19: invalid volume ":/x": the part before ":" is empty
t.yaml:8:11: invalid port "99999": ports are numbers from 1 to 65535
t.yaml:8:20: invalid port "80/http": the protocol after "/" is tcp, udp or sctp
t.yaml:9:14: a port in "register" in service "web" must be a whole number from 1 to 65535, not "http"
t.yaml:9:23: a port in "register" in service "web" must be a whole number from 1 to 65535, not "70000"
t.yaml:9:37: port name "Bad_Name" in "register" in service "web" must be lowercase letters, digits and "-"
t.yaml:9:60: port name "web" is registered twice in "register" in service "web"
t.yaml:10:35: "interval" in "healthcheck" in service "web" must be a duration such as "30s", "1m30s" or "500ms", not "soon"
t.yaml:10:50: "retries" in "healthcheck" in service "web" must be a whole number from 1 to 1000, not "many"
t.yaml:10:65: "timeout" in "healthcheck" in service "web" must be a duration such as "30s", "1m30s" or "500ms", not "5y"
t.yaml:11:12: "options" in service "web": "--name" is managed by calzion and cannot be set here
t.yaml:11:12: "options" in service "web": "--rm" is managed by calzion and cannot be set here
t.yaml:11:12: "options" in service "web": "--network" is managed by calzion and cannot be set here
t.yaml:11:12: "options" in service "web": "-d" is managed by calzion and cannot be set here
t.yaml:12:8: "cmd" in service "web" is empty
t.yaml:13:15: "entrypoint" in service "web" cannot be split into words: unterminated single quote
t.yaml:14:12: "workdir" in service "web" must be an absolute path, not "relative/path"
t.yaml:15:13: "secrets" in service "web": "lower-case" is not a variable name
t.yaml:16:18: "env" in service "web": "BAD-NAME" is not a variable name (letters, digits and "_", not starting with a digit)
t.yaml:16:31: "env" in service "web": "9X" is not a variable name (letters, digits and "_", not starting with a digit)
t.yaml:17:12: label "io.calzion.service" in service "web": labels under "io.calzion." are set by calzion)");
    }

    SUBCASE("an image key that is not a valid image reference") {
        CHECK(problems("elsdoerfer/Rethinkdb:\n") ==
              R"(t.yaml:1:1: invalid service name "Rethinkdb" (from "elsdoerfer/Rethinkdb"): a name starts with a lowercase letter or a digit
t.yaml:1:1: "elsdoerfer/Rethinkdb" is not a valid image reference: image names have lowercase letters, digits and separators (".", "_", "-") between them)");
        CHECK(problems("team/app:-bad:\n") ==
              R"(t.yaml:1:1: "team/app:-bad" is not a valid image reference: the tag after ":" has letters, digits, "_", "." and "-")");
    }

    SUBCASE("duplicate keys, anywhere") {
        CHECK(problems("web: {image: a}\nweb: {image: b}\n") ==
              R"(t.yaml:2:1: duplicate key "web" (first defined on line 1))");
        CHECK(problems("web:\n  image: a\n  env: {A: 1, A: 2}\n  image: b\n") ==
              R"(t.yaml:3:15: duplicate key "A" (first defined on line 3)
t.yaml:4:3: duplicate key "image" (first defined on line 2))");
        CHECK(problems("services:\n  web:\nservices:\n  db:\n") ==
              R"(t.yaml:3:1: duplicate key "services" (first defined on line 1))");
    }

    SUBCASE("invalid and clashing service names") {
        CHECK(problems("Web:\nweb_1:\nok:\n" + std::string(64, 'a') + ":\n") ==
              R"(t.yaml:1:1: invalid service name "Web": a name starts with a lowercase letter or a digit
t.yaml:2:1: invalid service name "web_1": a name has only lowercase letters, digits and "-"
t.yaml:4:1: invalid service name ")" +
                  std::string(64, 'a') + R"(": a name is at most 63 characters)");
        CHECK(problems("redis:\nmycompany/redis:\n") ==
              R"(t.yaml:2:1: service name "redis" is used twice: by "redis" on line 1 and by "mycompany/redis")");
        CHECK(problems("? [a]\n: {image: x}\nweb:\n") ==
              R"(t.yaml:1:3: a top-level key must be a string, not a list)");
        CHECK(problems("web:\n  ? [a]\n  : 1\n") == R"(t.yaml:2:5: a key in service "web" must be a string, not a list)");
    }

    SUBCASE("what is not a template") {
        CHECK(problems("") == "t.yaml:1:1: the template is empty: it maps service names to their settings");
        CHECK(problems("just a string\n") ==
              "t.yaml:1:1: the template is a scalar, not a mapping: it maps service names to their settings");
        CHECK(problems("- web\n- db\n") ==
              "t.yaml:1:1: the template is a list, not a mapping: it maps service names to their settings");
        CHECK(problems("services:\n") == "t.yaml:1:1: the template defines no services");
        CHECK(problems("services: {}\nenv: {A: 1}\n") == "t.yaml:1:1: the template defines no services");
        CHECK(problems("env: {A: 1}\n") == "t.yaml:1:1: the template defines no services");
        CHECK(problems("services: [web]\n") ==
              R"(t.yaml:1:1: the template defines no services
t.yaml:1:11: "services" must be a mapping of service names to settings, not a list)");
        CHECK(problems("web: [image]\n") == R"(t.yaml:1:6: service "web" must be a mapping of settings, not a list)");
        CHECK(problems("web: nginx\n") == R"(t.yaml:1:6: service "web" must be a mapping of settings, not a scalar)");
        CHECK(problems("calzion: 1\nweb:\n") == R"(t.yaml:1:10: "calzion" must be a mapping of settings, not a scalar)");
        CHECK(problems("vars: [1]\nweb:\n") == R"(t.yaml:1:8: an item of "vars" must read NAME=value, not "1")");
        CHECK(problems("env: x\nweb:\n") ==
              R"(t.yaml:1:6: the global "env" must be a mapping of names to values, not a scalar)");
    }

    SUBCASE("expose names a service and a port that exist") {
        CHECK(problems(R"(db: {image: postgres, register: {5432: sql, 5433: replica}}
cache: {image: redis}
web:
  expose:
    "dbb:sql": A
    "db:sqll": B
    "cache:resp": C
    "db:5432": D
    "cache:6379": E
    "nope": F
    "db:sql": "not a name"
    "db:replica": {format: "x"}
    "db:sql": {}
    ? [x]
    : G
)") == R"(t.yaml:5:5: service "web" exposes "dbb:sql", but there is no service "dbb", did you mean "db"?
t.yaml:6:5: service "web" exposes "db:sqll", but "db" registers no port named "sqll" (it registers "sql", "replica")
t.yaml:7:5: service "web" exposes "cache:resp", but "cache" registers no port named "resp" (it registers none)
t.yaml:10:5: a key of "expose" in service "web" must read "service:port", where port is a registered name or a number, not "nope"
t.yaml:11:15: "db:sql" in "expose" in service "web": "not a name" is not a variable name
t.yaml:12:19: "db:replica" in "expose" in service "web" needs "env", the variable to set
t.yaml:13:5: duplicate key "db:sql" (first defined on line 11)
t.yaml:13:15: "db:sql" in "expose" in service "web" needs "env", the variable to set
t.yaml:14:7: a key of "expose" in service "web" must be a string, not a list)");
    }

    SUBCASE("depends_on errors point at the entry") {
        CHECK(problems(R"(services:
  db:
  web:
    depends_on:
      - db
      - dbb
      - cache
      - web
)") == R"(t.yaml:6:9: service "web" depends on "dbb", but there is no service "dbb", did you mean "db"?
t.yaml:7:9: service "web" depends on "cache", but there is no service "cache"
t.yaml:8:9: service "web" depends on itself)");
        CHECK(problems("db:\nweb: {depends_on: [db, x]}\n") ==
              R"(t.yaml:2:24: service "web" depends on "x", but there is no service "x")");
    }

    SUBCASE("dependency cycles, through depends_on and expose, at the edge that leaves the first service") {
        CHECK(problems("a: {depends_on: [b]}\nb: {depends_on: [a]}\n") ==
              R"(t.yaml:1:18: dependency cycle: "a" -> "b" -> "a")");
        CHECK(problems("x:\na: {depends_on: [x, b]}\nb: {depends_on: [c]}\nc: {depends_on: [a]}\n") ==
              R"(t.yaml:2:21: dependency cycle: "a" -> "b" -> "c" -> "a")");
        CHECK(problems("a: {register: {1: p}, expose: {\"b:1\": X}}\nb: {depends_on: [a]}\n") ==
              R"(t.yaml:1:32: dependency cycle: "a" -> "b" -> "a")");
        std::string chain;
        for (int i = 0; i < 12; ++i) {
            chain += "s" + std::to_string(i) + ": {depends_on: [s" + std::to_string((i + 1) % 12) + "]}\n";
        }
        CHECK(problems(chain) ==
              R"(t.yaml:1:19: dependency cycle: "s0" -> "s1" -> "s2" -> "s3" -> "s4" -> "s5" -> ... (5 more) -> "s11" -> "s0")");
    }

    SUBCASE("a host port is published once") {
        CHECK(problems("a: {ports: [\"8080:80\", \"53:53/udp\"]}\nb: {ports: [\"8080:8080\", \"53:53\"]}\n") ==
              R"(t.yaml:2:1: host port 8080/tcp is published by both "a" and "b")");
        CHECK(problems("a: {ports: [\"127.0.0.1:80:80\"]}\nb: {ports: [\"127.0.0.2:80:80\", 80]}\nc: {ports: [80]}\n") ==
              "");
    }

    SUBCASE("a service that publishes a host port cannot be updated start-first") {
        CHECK(problems("web:\n  ports: [\"8080:80\"]\n  update: start-first\n") ==
              R"(t.yaml:3:11: service "web" publishes host ports, so it cannot be updated "start-first": the new container could not start beside the old one (use "stop-first"))");
        CHECK(problems("web: {ports: [80], update: start-first}\napi: {ports: [\"81:81\"], update: stop-first}\n") == "");
    }

    SUBCASE("a path that climbs is no image key") {
        CHECK(problems("\"../x\":\n") ==
              R"(t.yaml:1:1: "../x" is not a valid image reference: invalid registry host "..")");
    }

    SUBCASE("every problem at once, sorted by position") {
        CHECK(problems(R"(services:
  web:
    imgae: nginx
    depends_on: [db]
    restart: sometimes
  Db:
    ports: [x]
  a: {depends_on: [b]}
  b: {depends_on: [a]}
bogus: 1
)") == R"(t.yaml:3:5: unknown key "imgae" in service "web", did you mean "image"?
t.yaml:4:18: service "web" depends on "db", but there is no service "db", did you mean "Db"?
t.yaml:5:14: "restart" in service "web" must be "no", "always", "unless-stopped" or "on-failure[:N]", not "sometimes"
t.yaml:6:3: invalid service name "Db": a name starts with a lowercase letter or a digit
t.yaml:7:13: invalid port "x": ports are numbers from 1 to 65535
t.yaml:8:20: dependency cycle: "a" -> "b" -> "a"
t.yaml:10:1: unknown top-level key "bogus": with "services:", every service goes under it)");
    }

    SUBCASE("YAML syntax errors come with their location") {
        CHECK(problems("web:\n  image: [nginx\n") == "t.yaml:2:16: invalid YAML: end of sequence flow not found");
        CHECK(problems("web:\n  image: nginx\n cmd: x\n") == "t.yaml:3:2: invalid YAML: end of map not found");
    }

    SUBCASE("lenient mode defers values that still hold a reference") {
        const std::string yaml = R"(web:
  image: "${IMAGE}"
  ports: ["${PORT}:80"]
  volumes: ["${DIR}"]
  restart: ${RESTART}
  memory: ${MEM}
  cpus: ${CPUS}
  workdir: ${DIR}
  register: {"${P}": http}
  update: ${UPDATE}
  healthcheck: {cmd: x, interval: "${I}", retries: "${R}"}
  expose: {"web:80": "${VAR}"}
)";
        CHECK(problems(yaml, true) == "");
        CHECK(problems(yaml, false) ==
              R"(t.yaml:2:10: "image" in service "web" is not a valid image reference: image names have lowercase letters, digits and separators (".", "_", "-") between them
t.yaml:3:11: invalid port "${PORT}:80": ports are numbers from 1 to 65535
t.yaml:4:13: invalid volume "${DIR}": the path in the container must be absolute, without "." or "..", and not "/"
t.yaml:5:12: "restart" in service "web" must be "no", "always", "unless-stopped" or "on-failure[:N]", not "${RESTART}"
t.yaml:6:11: "memory" in service "web" must be a size such as "512m" or "2g", not "${MEM}"
t.yaml:7:9: "cpus" in service "web" must be a positive number such as "0.5" or "2", not "${CPUS}"
t.yaml:8:12: "workdir" in service "web" must be an absolute path, not "${DIR}"
t.yaml:9:14: a port in "register" in service "web" must be a whole number from 1 to 65535, not "${P}"
t.yaml:10:11: "update" in service "web" must be one of "start-first", "stop-first", not "${UPDATE}"
t.yaml:11:35: "interval" in "healthcheck" in service "web" must be a duration such as "30s", "1m30s" or "500ms", not "${I}"
t.yaml:11:52: "retries" in "healthcheck" in service "web" must be a whole number from 1 to 1000, not "${R}"
t.yaml:12:22: "web:80" in "expose" in service "web": "${VAR}" is not a variable name)");
    }

    SUBCASE("lenient mode checks a value whose only \"$\" are \"$$\" escapes") {
        CHECK(problems("web:\n  volumes: [\"vol$$(id):/data\", \"${V}:/v\"]\n", true) ==
              R"(t.yaml:2:13: invalid volume "vol$$(id):/data": a volume name has letters, digits, "_", "." and "-" (a host path starts with "/"))");
        CHECK(problems("web:\n  cmd: echo $$HOME\n  image: \"x$$\"\n", true) ==
              R"(t.yaml:3:10: "image" in service "web" is not a valid image reference: image names have lowercase letters, digits and separators (".", "_", "-") between them)");
    }

    SUBCASE("validate: min_version and the syntax of every reference") {
        CHECK(joined(validate_problems("calzion: {min_version: \"99.0\"}\nweb:\n")) ==
              R"(t.yaml:1:24: this template needs calzion "99.0" or newer, this is "0.1.0")");
        CHECK(joined(validate_problems("calzion: {min_version: one}\nweb:\n")) ==
              R"(t.yaml:1:24: "min_version" in "calzion" must read like "0.1" or "1.2.3", not "one")");
        CHECK(joined(validate_problems("calzion: {min_version: \"0.1\"}\nweb:\n")) == "");
        CHECK(joined(validate_problems("web:\n  env: {A: \"x${B\", C: \"5$ \", D: \"${E:-$$}\"}\n")) ==
              R"(t.yaml:2:14: unterminated "${"
t.yaml:2:25: lone "$": write "$$" for a literal "$")");
        // `vars` are taken as written, never interpolated: a "$" there is no problem.
        CHECK(joined(validate_problems("vars: {PRICE: 5$}\nweb: {env: {P: \"${PRICE}\"}}\n")) == "");
    }
}
