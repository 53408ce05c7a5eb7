#include <doctest/doctest.h>

#include <sstream>

#include "deploy/apply.hpp"
#include "fake_runner.hpp"
#include "state/fields.hpp"
#include "template_helpers.hpp"

using namespace calzion;

namespace {

const char* k_template = R"(
services:
  db: {image: "postgres:16", register: {5432: sql}}
  web: {image: "nginx:1.25", expose: {"db:sql": DB}}
)";

struct Fixture {
    render::Deployment deployment = testing::render_yaml(k_template, "shop");
    state::HostState host;
    test::FakeRunner runner;
    std::ostringstream log;
    report::LineReporter reporter{log, false};

    Fixture() { host.state_dir = "/var/lib/calzion"; }

    plan::Plan plan() {
        std::map<std::string, plan::Fields> fields;
        for (const auto& service : deployment.services) {
            fields[service.name] = state::fields_of(service);
        }
        return plan::make_plan(deployment, fields, host, {});
    }

    deploy::ApplyResult apply(const plan::Plan& plan) {
        return deploy::apply(plan, deployment, host, runner, reporter, {});
    }

    // The commands run, without the script bodies: "docker run ... shop-web", "wait shop-web".
    std::vector<std::string> steps() const {
        std::vector<std::string> out;
        for (const auto& command : runner.commands()) {
            const auto& argv = command.argv;
            if (argv[0] == "sh") {
                const std::string& script = argv[2];
                out.push_back(argv[4].find('/') == 0                          ? "prepare"
                              : script.find("docker rm") != std::string::npos ? "rm-own " + argv[4]
                                                                              : "wait " + argv[4]);
            } else if (argv[1] == "run") {
                out.push_back("run " + argv[5]);
            } else {
                std::string line = argv[1];
                for (size_t i = 2; i < argv.size(); ++i) {
                    line += " " + argv[i];
                }
                out.push_back(line);
            }
        }
        return out;
    }
};

docker::Container running(const render::RenderedService& service, const std::string& hash) {
    docker::Container container;
    container.name = service.container;
    container.service = service.name;
    container.spec_hash = hash;
    container.status = "running";
    return container;
}

}  // namespace

TEST_CASE("deploy::apply") {
    Fixture f;

    SUBCASE("a new instance: network and directories, then each service started and waited for, in order") {
        auto result = f.apply(f.plan());
        CHECK(result.ok());
        CHECK(result.applied == std::set<std::string>{"db", "web"});
        CHECK(f.steps() == std::vector<std::string>{"prepare", "run shop-db", "wait shop-db", "run shop-web",
                                                    "wait shop-web"});
    }
    SUBCASE("a changed service is replaced start-first: park, run, wait, remove the old one") {
        f.host.containers = {running(f.deployment.services[0], f.deployment.services[0].spec_hash),
                             running(f.deployment.services[1], "old-hash")};
        auto result = f.apply(f.plan());
        CHECK(result.ok());
        CHECK(result.applied == std::set<std::string>{"web"});
        CHECK(f.steps() == std::vector<std::string>{"prepare", "rename shop-web shop-web-calzion-old", "run shop-web",
                                                    "wait shop-web", "rm --force shop-web-calzion-old"});
    }
    SUBCASE("a replacement that never gets ready is removed and the old container comes back") {
        f.host.containers = {running(f.deployment.services[0], f.deployment.services[0].spec_hash),
                             running(f.deployment.services[1], "old-hash")};
        f.runner.on([](const std::vector<std::string>& argv) { return argv[0] == "sh" && argv[4] == "shop-web"; },
                    exec::Result{1, "", "failed exited none\ncannot bind\n", ""});
        auto result = f.apply(f.plan());
        CHECK_FALSE(result.ok());
        CHECK(result.applied.empty());
        CHECK(result.error == "service \"web\": failed to start (exited); its last log lines:\ncannot bind\n");
        CHECK(f.steps() == std::vector<std::string>{"prepare", "rename shop-web shop-web-calzion-old", "run shop-web",
                                                    "wait shop-web", "rm-own shop-web",
                                                    "rename shop-web-calzion-old shop-web"});
    }
    SUBCASE("after a failure no further service starts") {
        f.runner.on_prefix({"docker", "run"}, exec::Result{125, "", "", "Unable to find image\n"});
        auto result = f.apply(f.plan());
        CHECK(result.error == "service \"db\": docker run failed: Unable to find image");
        CHECK(f.steps() == std::vector<std::string>{"prepare", "run shop-db", "rm-own shop-db"});
    }
    SUBCASE("nothing to do runs nothing") {
        f.host.containers = {running(f.deployment.services[0], f.deployment.services[0].spec_hash),
                             running(f.deployment.services[1], f.deployment.services[1].spec_hash)};
        CHECK(f.apply(f.plan()).ok());
        CHECK(f.runner.commands().empty());
    }
}

TEST_CASE("deploy::apply with secrets") {
    Fixture f;
    f.deployment = testing::render_yaml("web: {image: nginx, secrets: [TOKEN, KEY]}\n", "shop");
    auto run_argv = [&] {
        for (const auto& command : f.runner.commands()) {
            if (command.argv.size() > 1 && command.argv[1] == "run") {
                return command.argv;
            }
        }
        return std::vector<std::string>{};
    };
    auto has_env_file = [](const std::vector<std::string>& argv) {
        for (size_t i = 0; i + 1 < argv.size(); ++i) {
            if (argv[i] == "--env-file") {
                return argv[i + 1] == "/var/lib/calzion/instances/shop/secrets/web.env";
            }
        }
        return false;
    };

    SUBCASE("given values are written to the host before the container starts, which reads them") {
        deploy::ApplyOptions options;
        options.secrets["web"] = "TOKEN=t\nKEY=k\n";
        auto result = deploy::apply(f.plan(), f.deployment, f.host, f.runner, f.reporter, options);
        CHECK(result.ok());
        auto commands = f.runner.commands();
        REQUIRE(commands.size() >= 2);
        CHECK(commands[1].argv[4] == "/var/lib/calzion/instances/shop");
        CHECK(commands[1].argv[5] == "web");
        CHECK(commands[1].input == "TOKEN=t\nKEY=k\n");
        CHECK(has_env_file(run_argv()));
    }
    SUBCASE("without values (a rollback), the env file already on the host is used") {
        f.host.secret_files["web"] = {"KEY", "TOKEN", "OLD"};
        auto result = f.apply(f.plan());
        CHECK(result.ok());
        CHECK(f.steps() == std::vector<std::string>{"prepare", "run shop-web", "wait shop-web"});
        CHECK(has_env_file(run_argv()));
    }
    SUBCASE("without values and without the file on the host, nothing is touched") {
        auto result = f.apply(f.plan());
        CHECK(result.error ==
              "secret \"TOKEN\" of service \"web\" is not on the host (secrets/web.env): deploy the template with "
              "the secret set");
        CHECK(f.runner.commands().empty());
    }
    SUBCASE("a file on the host that lacks a secret is not enough") {
        f.host.secret_files["web"] = {"TOKEN"};
        auto result = f.apply(f.plan());
        CHECK(result.error ==
              "secret \"KEY\" of service \"web\" is not on the host (secrets/web.env): deploy the template with the "
              "secret set");
        CHECK(f.runner.commands().empty());
    }
}
