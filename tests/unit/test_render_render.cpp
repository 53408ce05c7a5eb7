#include "render/render.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <unistd.h>
#include <vector>

#include "render/deployment_json.hpp"
#include "render/sources.hpp"
#include "template_helpers.hpp"
#include "util/error.hpp"

using calzion::Error;
using calzion::ErrorKind;
using calzion::render::Deployment;
using calzion::render::deployment_to_json;
using calzion::render::deployment_to_yaml;
using calzion::render::MountType;
using calzion::render::PullPolicy;
using calzion::render::RenderedService;
using calzion::render::RenderOptions;
using calzion::render::UpdateOrder;
using calzion::testing::joined;
using calzion::testing::render_problems;
using calzion::testing::render_yaml;
using calzion::testing::source_of;

namespace {

using Env = std::map<std::string, std::string>;
using Words = std::vector<std::string>;

const RenderedService& service(const Deployment& deployment, const std::string& name) {
    const RenderedService* found = deployment.find(name);
    REQUIRE_MESSAGE(found != nullptr, name);
    return *found;
}

std::vector<std::string> order_of(const Deployment& deployment) {
    std::vector<std::string> names;
    for (const auto& s : deployment.services) {
        names.push_back(s.name);
    }
    return names;
}

// "type source target ro|rw" for each mount.
std::vector<std::string> mounts_of(const RenderedService& s) {
    std::vector<std::string> out;
    for (const auto& mount : s.mounts) {
        out.push_back(std::string(calzion::render::to_string(mount.type)) + " " + mount.source + " " + mount.target + (mount.read_only ? " ro" : " rw"));
    }
    return out;
}

std::string json_of(const std::string& yaml, const std::string& instance = "app-staging",
                    const std::map<std::string, std::string>& set = {}) {
    return deployment_to_json(render_yaml(yaml, instance, set)).dump();
}

const std::string k_app = R"(env:
  LOG_LEVEL: info
  SHARED: global
services:
  web:
    image: nginx:1.25
    ports: ["8080:80"]
    volumes: [/var/www, "cache:/cache", "/etc/ssl:/etc/ssl:ro"]
    env:
      SHARED: web
      ROLE: frontend
    labels: {team: web}
    expose:
      "db:sql": {env: DATABASE_URL, format: "postgres://app@{host}:{port}/app"}
      "cache:6379": CACHE_ADDR
    depends_on: [worker]
  worker:
    image: busybox
    cmd: sleep 1000
  db:
    image: postgres:16
    register: {5432: sql}
    volumes: [/var/lib/postgresql/data]
  cache:
    image: redis:7
)";

}  // namespace

TEST_CASE("render::render") {
    SUBCASE("names: containers <instance>_<service>, network cz-<instance>") {
        Deployment d = render_yaml(k_app, "myapp-staging");
        CHECK(d.instance == "myapp-staging");
        CHECK(d.network == "cz-myapp-staging");
        CHECK(d.revision == std::optional<int>(1));
        CHECK(service(d, "web").container == "myapp-staging_web");
        CHECK(service(d, "db").container == "myapp-staging_db");
        CHECK(service(d, "web").image == "nginx:1.25");
    }

    SUBCASE("names: instances whose names run into each other's services never share an object") {
        Deployment x = render_yaml("services:\n  y-z: {image: a, volumes: [\"z-data:/d\"]}\n", "x");
        Deployment xy = render_yaml("services:\n  z: {image: a, volumes: [\"data:/d\"]}\n", "x-y");
        CHECK(service(x, "y-z").container == "x_y-z");
        CHECK(service(xy, "z").container == "x-y_z");
        CHECK(service(x, "y-z").mounts[0].source == "cz_x_z-data");
        CHECK(service(xy, "z").mounts[0].source == "cz_x-y_data");
        Deployment app = render_yaml("services:\n  s: {image: a, volumes: [\"b-store:/d\"]}\n", "app");
        Deployment app_b = render_yaml("services:\n  s: {image: a, volumes: [\"store:/d\"]}\n", "app-b");
        CHECK(service(app, "s").mounts[0].source == "cz_app_b-store");
        CHECK(service(app_b, "s").mounts[0].source == "cz_app-b_store");
    }

    SUBCASE("environment: CALZION_*, global env, service env, expose, later ones winning") {
        Deployment d = render_yaml(k_app, "myapp-staging");
        CHECK(service(d, "web").env == Env{{"CALZION_INSTANCE", "myapp-staging"},
                                           {"CALZION_SERVICE", "web"},
                                           {"LOG_LEVEL", "info"},
                                           {"SHARED", "web"},
                                           {"ROLE", "frontend"},
                                           {"DATABASE_URL", "postgres://app@db:5432/app"},
                                           {"CACHE_ADDR", "cache:6379"}});
        CHECK(service(d, "db").env == Env{{"CALZION_INSTANCE", "myapp-staging"},
                                          {"CALZION_SERVICE", "db"},
                                          {"LOG_LEVEL", "info"},
                                          {"SHARED", "global"}});
    }

    SUBCASE("an expose variable wins over the service's own env") {
        Deployment d = render_yaml("db: {register: {5432: sql}}\nweb: {env: {DB: mine}, expose: {\"db:sql\": DB}}\n");
        CHECK(service(d, "web").env.at("DB") == "db:5432");
    }

    SUBCASE("labels: calzion's own and the template's") {
        RenderOptions options;
        options.instance = "myapp-prod";
        options.revision = 12;
        Deployment d = calzion::render::render(source_of(k_app), options);
        const RenderedService& web = service(d, "web");
        CHECK(d.revision == std::optional<int>(12));
        CHECK(web.labels == Env{{"io.calzion.instance", "myapp-prod"},
                                {"io.calzion.revision", "12"},
                                {"io.calzion.service", "web"},
                                {"io.calzion.spec-hash", web.spec_hash},
                                {"team", "web"}});
        CHECK(web.spec_hash.size() == 64);
        CHECK(web.spec_hash.find_first_not_of("0123456789abcdef") == std::string::npos);
    }

    SUBCASE("mounts are scoped by instance") {
        Deployment d = render_yaml(k_app, "myapp-staging");
        CHECK(mounts_of(service(d, "web")) == Words{"instance volumes/web/var/www /var/www rw",
                                                    "volume cz_myapp-staging_cache /cache rw",
                                                    "bind /etc/ssl /etc/ssl ro"});
        CHECK(mounts_of(service(d, "db")) ==
              Words{"instance volumes/db/var/lib/postgresql/data /var/lib/postgresql/data rw"});
    }

    SUBCASE("start order: dependencies first (depends_on and expose), else template order") {
        Deployment d = render_yaml(k_app);
        CHECK(order_of(d) == Words{"worker", "db", "cache", "web"});
        CHECK(service(d, "web").after == Words{"cache", "db", "worker"});
        CHECK(service(d, "db").after.empty());
        CHECK(order_of(render_yaml("c:\nb:\na:\n")) == Words{"c", "b", "a"});
        CHECK(order_of(render_yaml("web: {depends_on: [db]}\nworker: {depends_on: [cache]}\ndb:\ncache:\n")) ==
              Words{"db", "web", "cache", "worker"});
        CHECK(order_of(render_yaml("a: {depends_on: [b, c]}\nb: {depends_on: [c]}\nc:\nd:\n")) ==
              Words{"c", "b", "a", "d"});
    }

    SUBCASE("update: start-first unless the service publishes host ports or says otherwise") {
        Deployment d = render_yaml("a:\nb: {ports: [\"80:80\"]}\nc: {update: stop-first}\nd: {ports: [80], update: start-first}\n");
        CHECK(service(d, "a").update == UpdateOrder::start_first);
        CHECK(service(d, "b").update == UpdateOrder::stop_first);
        CHECK(service(d, "c").update == UpdateOrder::stop_first);
        CHECK(service(d, "d").update == UpdateOrder::start_first);
    }

    SUBCASE("built services are named by calzion once the commit is known") {
        const std::string yaml = "app: {git: ., cmd: web}\nlib: {build: {context: ./lib, args: {V: \"1\"}}}\n";
        Deployment unknown = render_yaml(yaml, "shop-prod");
        CHECK(service(unknown, "app").image == "");
        CHECK(service(unknown, "app").git == std::optional<std::string>("."));
        RenderOptions options;
        options.instance = "shop-prod";
        options.commits = {{"app", "0123abc"}, {"lib", "fedc987"}};
        Deployment known = calzion::render::render(source_of(yaml), options);
        CHECK(service(known, "app").image == "shop-prod_app:0123abc");
        CHECK(service(known, "lib").image == "shop-prod_lib:fedc987");
        CHECK(service(known, "app").spec_hash != service(unknown, "app").spec_hash);
    }

    SUBCASE("an invalid instance name is a usage error") {
        try {
            render_yaml("web:\n", "My_App");
            FAIL("no error");
        } catch (const Error& error) {
            CHECK(error.kind() == ErrorKind::usage);
            CHECK(std::string(error.what()) ==
                  R"(invalid instance name "My_App": a name starts with a lowercase letter or a digit)");
        }
        CHECK(joined(render_problems("web:\n", "")) == R"(invalid instance name "": a name cannot be empty)");
        CHECK(joined(render_problems("web:\n", "a/b")) ==
              R"(invalid instance name "a/b": a name has only lowercase letters, digits and "-")");
    }

    SUBCASE("problems of the template itself stop rendering, all of them") {
        CHECK(joined(render_problems("web:\n  imgae: x\n  ports: [x]\n")) ==
              R"(t.yaml:2:3: unknown key "imgae" in service "web", did you mean "image"?
t.yaml:3:11: invalid port "x": ports are numbers from 1 to 65535)");
    }
}

TEST_CASE("render::render placed") {
    const std::string yaml = "db:\n  register: {5432: sql}\n  ports: [\"15999:5432\"]\ncache:\n  register: {6379: redis}\n"
                             "web:\n  depends_on: [db, cache]\n  expose: {\"db:sql\": DB, \"cache:redis\": CACHE}\n";
    RenderOptions options;
    options.instance = "shop";
    options.placement = calzion::render::Placement{
        "", {{"db", "h2"}, {"cache", "h1"}, {"web", "h1"}}, {{"h1", "10.0.0.1"}, {"h2", "10.0.0.2"}}};

    SUBCASE("every host at once: across hosts the other host's address and published port") {
        Deployment d = calzion::render::render(source_of(yaml), options);
        CHECK(order_of(d) == std::vector<std::string>{"db", "cache", "web"});
        CHECK(service(d, "web").env.at("DB") == "10.0.0.2:15999");
        CHECK(service(d, "web").env.at("CACHE") == "cache:6379");
        // Only a service on its own host is waited for.
        CHECK(service(d, "web").after == std::vector<std::string>{"cache"});
    }

    SUBCASE("one host's share: only its services") {
        options.placement->host = "h1";
        Deployment d = calzion::render::render(source_of(yaml), options);
        CHECK(order_of(d) == std::vector<std::string>{"cache", "web"});
        CHECK(service(d, "web").env.at("DB") == "10.0.0.2:15999");
    }

    SUBCASE("an expose across hosts to a port not published is located at the expose, on every host") {
        const std::string unpublished = "db: {register: {5432: sql}}\nweb:\n  expose: {\"db:sql\": DB}\n";
        const std::string message =
            R"(t.yaml:3:12: service "web" on "h1" uses port 5432 of "db" on "h2", which publishes no host port for it: add it to the "ports" of "db" (e.g. "5432:5432"), or place both on one host)";
        for (std::string host : {"", "h1", "h2"}) {
            options.placement->host = host;
            try {
                calzion::render::render(source_of(unpublished), options);
                FAIL("no error on " << host);
            } catch (const Error& error) {
                CHECK(error.kind() == ErrorKind::invalid_data);
                CHECK(joined(calzion::testing::messages_of(error)) == message);
            }
        }
    }
}

TEST_CASE("render::check_place") {
    const std::string unpublished = "db: {register: {5432: sql}}\nweb:\n  expose: {\"db:sql\": DB}\n";
    auto problems = [](const std::string& yaml, const std::map<std::string, std::string>& place) {
        try {
            calzion::render::check_place(source_of(yaml), place);
        } catch (const Error& error) {
            return joined(calzion::testing::messages_of(error));
        }
        return std::string();
    };
    CHECK(problems(unpublished, {{"db", "h2"}, {"web", "h1"}}) ==
          R"(t.yaml:3:12: service "web" on "h1" uses port 5432 of "db" on "h2", which publishes no host port for it: add it to the "ports" of "db" (e.g. "5432:5432"), or place both on one host)");
    CHECK(problems(unpublished, {{"db", "h1"}, {"web", "h1"}}) == "");
    // Only `place` is known without the hosts' state.
    CHECK(problems(unpublished, {{"db", "h2"}}) == "");
    CHECK(problems("db: {register: {5432: sql}, ports: [\"${P}:5432\"]}\nweb: {expose: {\"db:sql\": DB}}\n",
                   {{"db", "h2"}, {"web", "h1"}}) == "");
    CHECK(problems("db: {register: {5432: sql}, ports: [\"5432:5432\"]}\nweb: {expose: {\"db:sql\": DB}}\n",
                   {{"db", "h2"}, {"web", "h1"}}) == "");
}

TEST_CASE("render::render interpolation") {
    SUBCASE("sources in precedence order: --set, infrastructure, --vars-file, environment, template vars") {
        const std::string path = std::filesystem::temp_directory_path() / ("calzion-render-" + std::to_string(::getpid()) + ".env");
        std::ofstream(path) << "P1=file\nP2=file\nP3=file\n";
        calzion::render::VariableSources sources;
        sources.set = {"P1=set"};
        sources.instance_vars = {{"P1", "infra"}, {"P2", "infra"}};
        sources.vars_files = {path};
        sources.environment = {{"P1", "env"}, {"P2", "env"}, {"P3", "env"}, {"P4", "env"}};
        RenderOptions options;
        options.instance = "app-staging";
        options.variables = calzion::render::gather_variables(sources);
        std::filesystem::remove(path);
        Deployment d = calzion::render::render(source_of(R"(vars: {P0: template, P1: template, P2: template, P3: template, P4: template}
web:
  env: {V0: "${P0}", V1: "${P1}", V2: "${P2}", V3: "${P3}", V4: "${P4}"}
)"),
                                               options);
        const Env& env = service(d, "web").env;
        CHECK(env.at("V1") == "set");
        CHECK(env.at("V2") == "infra");
        CHECK(env.at("V3") == "file");
        CHECK(env.at("V4") == "env");
        CHECK(env.at("V0") == "template");
    }

    SUBCASE("built-ins ${instance}, ${service}, ${revision}; $$ is a literal $") {
        RenderOptions options;
        options.instance = "myapp-prod";
        options.revision = 7;
        options.variables.add_layer("--set", {{"instance", "not-this"}, {"service", "nor-this"}});
        Deployment d = calzion::render::render(source_of(R"(web:
  image: "registry.example.com/${service}:${revision}"
  cmd: [echo, "${instance}/${service}", "cost: $$5", "$${NOT}"]
  labels: {owner: "${instance}"}
db:
  env: {NAME: "${service}-${instance}"}
)"),
                                               options);
        CHECK(service(d, "web").image == "registry.example.com/web:7");
        CHECK(service(d, "web").command == std::optional<Words>(Words{"echo", "myapp-prod/web", "cost: $5", "${NOT}"}));
        CHECK(service(d, "web").labels.at("owner") == "myapp-prod");
        CHECK(service(d, "db").env.at("NAME") == "db-myapp-prod");
    }

    SUBCASE("the global env may use ${service}: each service gets its own value, its own env still wins") {
        Deployment d = render_yaml(R"(env:
  TAG: "${instance}.${service}"
  PLAIN: "${instance}"
  LIST_STYLE: "x"
services:
  web:
  db:
    env: {TAG: mine}
)",
                                   "shop");
        CHECK(service(d, "web").env.at("TAG") == "shop.web");
        CHECK(service(d, "db").env.at("TAG") == "mine");
        CHECK(service(d, "web").env.at("PLAIN") == "shop");
        CHECK(service(d, "db").env.at("PLAIN") == "shop");
        Deployment listed = render_yaml("env: [\"WHO=${service}\", X=1]\nweb:\ndb:\n", "shop");
        CHECK(service(listed, "web").env.at("WHO") == "web");
        CHECK(service(listed, "db").env.at("WHO") == "db");
        CHECK(service(listed, "db").env.at("X") == "1");
        CHECK(joined(render_problems("env: {A: \"${service}${NOPE}\"}\nweb:\ndb:\n")) ==
              R"(t.yaml:1:21: variable "NOPE" is not set)");
    }

    SUBCASE("defaults, required variables and values set to nothing") {
        Deployment d = render_yaml(R"(web:
  env:
    A: "${UNSET:-fallback}"
    B: "${EMPTY:-fallback}"
    C: "${EMPTY-fallback}"
    D: "${SET:+alternative}"
    E: "${SET:-${UNSET}}"
)",
                                   "app", {{"EMPTY", ""}, {"SET", "yes"}});
        CHECK(service(d, "web").env.at("A") == "fallback");
        CHECK(service(d, "web").env.at("B") == "fallback");
        CHECK(service(d, "web").env.at("C") == "");
        CHECK(service(d, "web").env.at("D") == "alternative");
        CHECK(service(d, "web").env.at("E") == "yes");
    }

    SUBCASE("values are inserted as they are, never interpolated again") {
        Deployment d = render_yaml("vars: {INNER: \"${instance}\"}\nweb: {env: {A: \"${OUTER}\", B: \"${INNER}\"}}\n",
                                   "app", {{"OUTER", "$(rm -rf /) ${HOME} $$"}});
        CHECK(service(d, "web").env.at("A") == "$(rm -rf /) ${HOME} $$");
        CHECK(service(d, "web").env.at("B") == "${instance}");
    }

    SUBCASE("an unresolved variable is an error at its exact file:line:col, never an empty string") {
        CHECK(joined(render_problems(R"(web:
  image: ${IMAGE}
  env:
    A: "x ${ALPHA}"
    B: 'y ${BETA}'
    C: z ${GAMMA}
    D: "${DELTA:?set DELTA to the database password}"
  cmd: [run, "--port=${PORT}"]
  ports: ["${HOST_PORT}:80"]
)")) == R"(t.yaml:2:10: variable "IMAGE" is not set
t.yaml:4:11: variable "ALPHA" is not set
t.yaml:5:11: variable "BETA" is not set
t.yaml:6:10: variable "GAMMA" is not set
t.yaml:7:9: variable "DELTA" is required: set DELTA to the database password
t.yaml:8:22: variable "PORT" is not set
t.yaml:9:12: variable "HOST_PORT" is not set)");
    }

    SUBCASE("a variable must be UTF-8 text without NUL: its value goes into JSON and argv") {
        CHECK(joined(render_problems("web:\n  env: {A: \"x${BAD}\", B: ok}\n", "app", {{"BAD", "\xff\xfe"}})) ==
              R"(t.yaml:2:12: variable "BAD" is not valid UTF-8 text)");
        CHECK(joined(render_problems("web:\n  cmd: [\"${NUL}\"]\n", "app", {{"NUL", std::string("a\0b", 3)}})) ==
              R"(t.yaml:2:9: variable "NUL" contains a NUL character)");
        CHECK(joined(render_problems("env: {A: \"${service}${BAD}\"}\nweb:\n", "app", {{"BAD", "\xc3"}})) ==
              R"(t.yaml:1:10: variable "BAD" is not valid UTF-8 text)");
        CHECK(service(render_yaml("web: {env: {A: \"${V}\"}}\n", "app", {{"V", "caf\xc3\xa9"}}), "web").env.at("A") ==
              "caf\xc3\xa9");
    }

    SUBCASE("where escapes hide the exact column, the value's start is used") {
        CHECK(joined(render_problems("web:\n  env: {A: \"tab\\there ${X}\"}\n")) == R"(t.yaml:2:12: variable "X" is not set)");
        CHECK(joined(render_problems("web:\n  env:\n    A: |\n      line ${X}\n")) ==
              R"(t.yaml:3:8: variable "X" is not set)");
    }

    SUBCASE("an interpolated value is still checked") {
        CHECK(joined(render_problems("web: {ports: [\"${P}:80\"], restart: \"${R}\"}\n", "app",
                                     {{"P", "http"}, {"R", "sometimes"}})) ==
              R"(t.yaml:1:15: invalid port "http:80": ports are numbers from 1 to 65535
t.yaml:1:36: "restart" in service "web" must be "no", "always", "unless-stopped" or "on-failure[:N]", not "sometimes")");
        Deployment d = render_yaml("web: {ports: [\"${P}:80\"], restart: \"${R}\"}\n", "app", {{"P", "8080"}, {"R", "always"}});
        CHECK(service(d, "web").ports[0].host_port == 8080);
        CHECK(service(d, "web").restart == "always");
    }

    SUBCASE("keys, vars and calzion settings are taken as written") {
        Deployment d = render_yaml("calzion: {min_version: \"0.1\"}\nvars: {COST: 5$}\nweb: {labels: {\"${k}\": v}, env: {C: \"${COST}\"}}\n");
        CHECK(service(d, "web").labels.at("${k}") == "v");
        CHECK(service(d, "web").env.at("C") == "5$");
    }
}

TEST_CASE("render::render output") {
    SUBCASE("the same inputs give the same bytes, every time") {
        std::string json = json_of(k_app);
        std::string yaml = deployment_to_yaml(render_yaml(k_app));
        for (int i = 0; i < 5; ++i) {
            CHECK(json_of(k_app) == json);
            CHECK(deployment_to_yaml(render_yaml(k_app)) == yaml);
        }
    }

    SUBCASE("the JSON of a deployment, exactly") {
        CHECK(deployment_to_json(render_yaml("web:\n  image: nginx\n  cmd: serve --port 80\n", "demo")).dump(2) ==
              R"({
  "format": 1,
  "instance": "demo",
  "network": "cz-demo",
  "revision": 1,
  "services": [
    {
      "name": "web",
      "container": "demo_web",
      "image": "nginx",
      "spec_hash": "9a4c499cce160b9a27985e235389d6ef494258516299558eba48a81ec83cc00c",
      "after": [],
      "build": null,
      "command": [
        "serve",
        "--port",
        "80"
      ],
      "cpus": "",
      "entrypoint": null,
      "env": {
        "CALZION_INSTANCE": "demo",
        "CALZION_SERVICE": "web"
      },
      "healthcheck": null,
      "init": [],
      "labels": {
        "io.calzion.instance": "demo",
        "io.calzion.revision": "1",
        "io.calzion.service": "web",
        "io.calzion.spec-hash": "9a4c499cce160b9a27985e235389d6ef494258516299558eba48a81ec83cc00c"
      },
      "memory": "",
      "mounts": [],
      "options": [],
      "ports": [],
      "pull": "",
      "restart": "unless-stopped",
      "routes": [],
      "secrets": [],
      "update": "start-first",
      "user": "",
      "workdir": ""
    }
  ]
})");
    }

    SUBCASE("the YAML of a deployment, exactly") {
        CHECK(deployment_to_yaml(render_yaml("web:\n  image: nginx\n  ports: [\"8080:80\"]\n  env: {N: \"010\"}\n", "demo")) ==
              R"(format: 1
instance: demo
network: cz-demo
revision: 1
services:
  - name: web
    container: demo_web
    image: nginx
    spec_hash: "888080710801a747c87a1255eb0329e80f3ec309aac6afd451bc3a191641d51f"
    after: []
    build: null
    command: null
    cpus: ""
    entrypoint: null
    env:
      CALZION_INSTANCE: demo
      CALZION_SERVICE: web
      "N": "010"
    healthcheck: null
    init: []
    labels:
      io.calzion.instance: demo
      io.calzion.revision: "1"
      io.calzion.service: web
      io.calzion.spec-hash: "888080710801a747c87a1255eb0329e80f3ec309aac6afd451bc3a191641d51f"
    memory: ""
    mounts: []
    options: []
    ports:
      - container_port: 80
        host_ip: ""
        host_port: 8080
        protocol: tcp
    pull: ""
    restart: unless-stopped
    routes: []
    secrets: []
    update: stop-first
    user: ""
    workdir: ""
)");
    }

    SUBCASE("the spec hash is stable and changes only with the resolved spec") {
        Deployment base = render_yaml(k_app, "myapp-staging");
        // The canonical form is part of the contract: recorded revisions compare hashes.
        // This is the sha256 of the service's JSON with sorted keys and no spaces, with
        // "name" and without the spec-hash and revision labels (checked with Python).
        CHECK(service(render_yaml("web:\n  image: nginx\n  cmd: serve --port 80\n", "demo"), "web").spec_hash ==
              "9a4c499cce160b9a27985e235389d6ef494258516299558eba48a81ec83cc00c");

        // Formatting, comments, key order and the revision do not count.
        std::string reordered = k_app;
        reordered.replace(reordered.find("    ports: [\"8080:80\"]\n"), 22, "");
        reordered.replace(reordered.find("    labels: {team: web}\n"), 24,
                          "    labels: {team: web}   # a comment\n    ports:\n      - \"8080:80\"\n");
        RenderOptions later;
        later.instance = "myapp-staging";
        later.revision = 9;
        Deployment again = calzion::render::render(source_of(reordered), later);
        for (const auto& s : base.services) {
            CHECK_MESSAGE(service(again, s.name).spec_hash == s.spec_hash, s.name);
        }

        // An env value of one service changes that service's hash only.
        std::string changed = k_app;
        changed.replace(changed.find("ROLE: frontend"), 14, "ROLE: backend");
        Deployment other = render_yaml(changed, "myapp-staging");
        CHECK(service(other, "web").spec_hash != service(base, "web").spec_hash);
        for (const char* name : {"worker", "db", "cache"}) {
            CHECK_MESSAGE(service(other, name).spec_hash == service(base, name).spec_hash, name);
        }

        // The global env is part of every service.
        std::string global = k_app;
        global.replace(global.find("LOG_LEVEL: info"), 15, "LOG_LEVEL: debug");
        Deployment all = render_yaml(global, "myapp-staging");
        for (const auto& s : base.services) {
            CHECK_MESSAGE(service(all, s.name).spec_hash != s.spec_hash, s.name);
        }

        // A variable changes the hash of the services that use it.
        const std::string uses = "a: {env: {V: \"${V}\"}}\nb:\n";
        Deployment one = render_yaml(uses, "x", {{"V", "1"}});
        Deployment two = render_yaml(uses, "x", {{"V", "2"}});
        CHECK(service(one, "a").spec_hash != service(two, "a").spec_hash);
        CHECK(service(one, "b").spec_hash == service(two, "b").spec_hash);

        // init and pull do not change what the container runs: neither changes the
        // hash, and a service without them hashes as before they existed.
        Deployment plain = render_yaml("web:\n  image: nginx\n  cmd: serve --port 80\n", "demo");
        Deployment extra = render_yaml(
            "web:\n  image: nginx\n  cmd: serve --port 80\n  init: [createdb app]\n  pull: never\n", "demo");
        CHECK(service(extra, "web").pull == PullPolicy::never);
        CHECK(service(extra, "web").init == std::vector<std::vector<std::string>>{{"createdb", "app"}});
        CHECK(service(extra, "web").spec_hash == service(plain, "web").spec_hash);
    }

    SUBCASE("two instances never collide: names, networks, named volumes, labels") {
        Deployment staging = render_yaml(k_app, "myapp-staging");
        Deployment prod = render_yaml(k_app, "myapp-prod");
        CHECK(staging.network != prod.network);
        for (const auto& s : staging.services) {
            const RenderedService& p = service(prod, s.name);
            CHECK(s.container != p.container);
            CHECK(s.labels.at("io.calzion.instance") != p.labels.at("io.calzion.instance"));
            CHECK(s.spec_hash != p.spec_hash);
            for (size_t i = 0; i < s.mounts.size(); ++i) {
                if (s.mounts[i].type == MountType::volume) {
                    CHECK(s.mounts[i].source != p.mounts[i].source);
                }
            }
        }
        CHECK(service(prod, "web").mounts[1].source == "cz_myapp-prod_cache");
    }
}
