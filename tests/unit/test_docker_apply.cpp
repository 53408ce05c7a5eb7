#include <doctest/doctest.h>

#include <algorithm>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "docker/apply.hpp"
#include "exec/sequence.hpp"
#include "fake_runner.hpp"
#include "state/fields.hpp"
#include "template_helpers.hpp"

using namespace calzion;

namespace {

// The steps of one exec::sequence_argv script (sh -c SCRIPT calzion KEEP, then
// per step its word count and words); any other command as its only step.
std::vector<std::vector<std::string>> unfold(const std::vector<std::string>& argv) {
    auto steps = exec::sequence_steps(argv);
    if (steps.empty()) {
        return {argv};
    }
    return steps;
}

// A one-script start (exec::sequence_argv) whose steps include one naming `word`.
bool is_sequence_with(const std::vector<std::string>& argv, const std::string& word) {
    auto steps = unfold(argv);
    return steps.size() > 1 && std::any_of(steps.begin(), steps.end(), [&](const std::vector<std::string>& step) {
               return std::find(step.begin(), step.end(), word) != step.end();
           });
}

// The result of a sequence whose step `index` failed.
exec::Result step_failed(size_t index, std::string out, std::string err) {
    return exec::Result{100 + static_cast<int>(index), "", std::move(out), std::move(err)};
}

// Each command in words, a sequence's steps joined with " + ".
std::vector<std::string> describe_all(const test::FakeRunner& runner,
                                      const std::function<std::string(const std::vector<std::string>&)>& describe) {
    std::vector<std::string> out;
    for (const auto& command : runner.commands()) {
        std::string line;
        for (const auto& step : unfold(command.argv)) {
            line += (line.empty() ? "" : " + ") + describe(step);
        }
        out.push_back(line);
    }
    return out;
}

const char* k_template = R"(
services:
  db: {image: "postgres:16", register: {5432: sql}}
  web: {image: "nginx:1.25", expose: {"db:sql": DB}}
)";

// A host as apply's caller sees it: what its store records, and the containers
// the backend observed there (the plan's input).
struct Host : state::HostState {
    std::vector<plan::Workload> containers;
};

struct Fixture {
    render::Deployment deployment = testing::render_yaml(k_template, "shop");
    Host host;
    test::FakeRunner runner;
    std::ostringstream log;
    events::LineReporter reporter{log, false};

    Fixture() { host.state_dir = "/var/lib/calzion"; }

    plan::Plan plan() {
        std::map<std::string, plan::Fields> fields;
        for (const auto& service : deployment.services) {
            fields[service.name] = state::fields_of(service);
        }
        return plan::make_plan(deployment, fields, host, plan::Observed{host.containers, {}, {}}, {});
    }

    backend::ApplyResult apply(const plan::Plan& plan) {
        return docker::apply(plan, deployment, host, runner, reporter, {});
    }

    // The commands run, without the script bodies: "docker run ... shop_web", "wait shop_web";
    // the steps of one script joined with " + ".
    std::vector<std::string> steps() const {
        return describe_all(runner, [](const std::vector<std::string>& argv) -> std::string {
            if (argv[0] == "sh" && argv[2].find("network disconnect") != std::string::npos) {
                // hand_over_argv: network, alias, new, old, drain seconds
                return argv[7].empty() ? "alias " + argv[5] + " to " + argv[6]
                                       : "hand " + argv[5] + " over from " + argv[7] + " to " + argv[6] +
                                             ", drain " + argv[8] + "s";
            }
            if (argv[0] == "sh") {
                const std::string& script = argv[2];
                return argv[4].find('/') == 0                          ? "prepare"
                       : script.find("docker rm") != std::string::npos ? "rm-own " + argv[4]
                                                                       : "wait " + argv[4];
            }
            if (argv[1] == "run") {
                bool alias = std::find(argv.begin(), argv.end(), "--network-alias") != argv.end();
                return "run " + argv[5] + (alias ? "" : " without alias");
            }
            std::string line = argv[1];
            for (size_t i = 2; i < argv.size(); ++i) {
                line += " " + argv[i];
            }
            return line;
        });
    }
};

// The message of the result's error; empty when it has none.
std::string error_of(const backend::ApplyResult& result) { return result.error ? result.error->message() : ""; }

plan::Workload running(const render::RenderedService& service, const std::string& hash) {
    plan::Workload container;
    container.name = service.container;
    container.service = service.name;
    container.spec_hash = hash;
    container.status = "running";
    return container;
}

}  // namespace

TEST_CASE("docker::apply") {
    Fixture f;

    SUBCASE("a new instance: network and directories, then each service started and waited for, in order") {
        auto result = f.apply(f.plan());
        CHECK(result.ok());
        CHECK(result.applied == std::set<std::string>{"db", "web"});
        CHECK(f.steps() == std::vector<std::string>{"prepare", "run shop_db + wait shop_db",
                                                    "run shop_web + wait shop_web"});
    }
    SUBCASE("a changed service is replaced start-first: park, run without the alias, wait, hand the traffic over") {
        f.host.containers = {running(f.deployment.services[0], f.deployment.services[0].spec_hash),
                             running(f.deployment.services[1], "old-hash")};
        auto result = f.apply(f.plan());
        CHECK(result.ok());
        CHECK(result.applied == std::set<std::string>{"web"});
        CHECK(f.steps() == std::vector<std::string>{
                               "prepare + rename shop_web shop_web_old + run shop_web without alias + wait "
                               "shop_web + hand web over from shop_web_old to shop_web, drain 2s"});
        CHECK(f.log.str().find("fake web: removed container shop_web_old\nfake web: ready\n") !=
              std::string::npos);
    }
    SUBCASE("a one-service change is one remote script: replace and create") {
        f.host.containers = {running(f.deployment.services[0], f.deployment.services[0].spec_hash),
                             running(f.deployment.services[1], "old-hash")};
        CHECK(f.apply(f.plan()).ok());
        CHECK(f.runner.commands().size() == 1);

        test::FakeRunner created;
        f.host.containers = {running(f.deployment.services[0], f.deployment.services[0].spec_hash)};
        CHECK(docker::apply(f.plan(), f.deployment, f.host, created, f.reporter, {}).ok());
        CHECK(created.commands().size() == 1);
    }
    SUBCASE("a failed hand-over fails the service without bringing the old container back") {
        f.host.containers = {running(f.deployment.services[0], f.deployment.services[0].spec_hash),
                             running(f.deployment.services[1], "old-hash")};
        f.runner.on([](const std::vector<std::string>& argv) { return is_sequence_with(argv, "shop_web"); },
                    step_failed(4, "ready running none\n", "Error response from daemon: network gone\n"));
        auto result = f.apply(f.plan());
        CHECK(error_of(result) == "service \"web\": handing the traffic over to the new container failed: Error "
                              "response from daemon: network gone");
        CHECK(f.steps().size() == 1);
    }
    SUBCASE("a failed park fails the service before anything starts") {
        f.host.containers = {running(f.deployment.services[0], f.deployment.services[0].spec_hash),
                             running(f.deployment.services[1], "old-hash")};
        f.runner.on([](const std::vector<std::string>& argv) { return is_sequence_with(argv, "shop_web"); },
                    step_failed(1, "", "Error response from daemon: name in use\n"));
        auto result = f.apply(f.plan());
        CHECK(error_of(result) == "service \"web\": docker rename failed: Error response from daemon: name in use");
        CHECK(f.steps().size() == 1);
    }
    SUBCASE("stop-first: stop, park, run with the alias, wait, remove the old one") {
        f.deployment.services[1].update = render::UpdateOrder::stop_first;
        f.host.containers = {running(f.deployment.services[0], f.deployment.services[0].spec_hash),
                             running(f.deployment.services[1], "old-hash")};
        auto result = f.apply(f.plan());
        CHECK(result.ok());
        CHECK(f.steps() == std::vector<std::string>{"prepare + stop shop_web + rename shop_web shop_web_old + "
                                                    "run shop_web + wait shop_web + rm --force shop_web_old"});
    }
    SUBCASE("an interrupted replacement whose new container is gone: the parked one serves until a new one is ready") {
        auto parked = running(f.deployment.services[1], "old-hash");
        parked.name = "shop_web_old";
        f.host.containers = {running(f.deployment.services[0], f.deployment.services[0].spec_hash), parked};
        auto result = f.apply(f.plan());
        CHECK(result.ok());
        CHECK(result.applied == std::set<std::string>{"web"});
        CHECK(f.steps() == std::vector<std::string>{
                               "prepare + alias web to shop_web_old + run shop_web without alias + wait "
                               "shop_web + hand web over from shop_web_old to shop_web, drain 2s"});
    }
    SUBCASE("an interrupted replacement redone and failing again: the parked one gets its name back") {
        auto parked = running(f.deployment.services[1], "old-hash");
        parked.name = "shop_web_old";
        auto failed = running(f.deployment.services[1], "older-attempt");
        failed.status = "exited";
        f.host.containers = {running(f.deployment.services[0], f.deployment.services[0].spec_hash), failed, parked};
        f.runner.on([](const std::vector<std::string>& argv) { return is_sequence_with(argv, "shop_web"); },
                    step_failed(4, "failed exited none\ncannot bind\n", ""));
        auto result = f.apply(f.plan());
        CHECK_FALSE(result.ok());
        CHECK(f.steps() == std::vector<std::string>{
                               "prepare + alias web to shop_web_old + rm-own shop_web + run shop_web without "
                               "alias + wait shop_web + hand web over from shop_web_old to shop_web, drain 2s",
                               "rm-own shop_web", "rename shop_web_old shop_web"});
    }
    SUBCASE("a container named as before is parked under the new name and replaced; on failure it comes back") {
        auto old = running(f.deployment.services[1], f.deployment.services[1].spec_hash);
        old.name = "shop-web";
        f.host.current_revision = 1;
        f.host.containers = {running(f.deployment.services[0], f.deployment.services[0].spec_hash), old};
        CHECK(f.apply(f.plan()).ok());
        CHECK(f.steps() == std::vector<std::string>{
                               "prepare + rename shop-web shop_web_old + run shop_web without alias + wait "
                               "shop_web + hand web over from shop_web_old to shop_web, drain 2s"});
        Fixture g;
        g.host.containers = f.host.containers;
        g.runner.on([](const std::vector<std::string>& argv) { return is_sequence_with(argv, "shop_web"); },
                    step_failed(3, "failed exited none\n", ""));
        CHECK_FALSE(g.apply(g.plan()).ok());
        CHECK(g.steps().back() == "rename shop_web_old shop-web");
    }
    SUBCASE("named volumes are created in the prepare step, labelled with the instance and the owner") {
        f.deployment = testing::render_yaml("services:\n  web: {image: a, volumes: [\"data:/d\", \"data:/e\"]}\n",
                                            "shop");
        CHECK(f.apply(f.plan()).ok());
        const auto steps = exec::sequence_steps(f.runner.commands().front().argv);
        REQUIRE_FALSE(steps.empty());
        const auto& prepare = steps.front();
        REQUIRE(prepare.size() > 4);
        CHECK(std::vector<std::string>(prepare.begin() + 4, prepare.end()) ==
              std::vector<std::string>{"/var/lib/calzion/instances/shop", "cz-shop", "shop", "/var/lib/calzion", "0",
                                       "cz_shop_data"});
        CHECK(prepare[2].find("docker volume create --label \"io.calzion.instance=$instance\" --label "
                              "\"io.calzion.state=$owner\" \"$arg\"") != std::string::npos);
    }
    SUBCASE("a replacement that never gets ready is removed and the old container comes back") {
        f.host.containers = {running(f.deployment.services[0], f.deployment.services[0].spec_hash),
                             running(f.deployment.services[1], "old-hash")};
        f.runner.on([](const std::vector<std::string>& argv) { return is_sequence_with(argv, "shop_web"); },
                    step_failed(3, "failed exited none\ncannot bind\n", ""));
        auto result = f.apply(f.plan());
        CHECK_FALSE(result.ok());
        CHECK(result.applied.empty());
        CHECK(error_of(result) == "service \"web\": failed to start (exited); its last log lines:\ncannot bind\n");
        CHECK(f.steps() == std::vector<std::string>{
                               "prepare + rename shop_web shop_web_old + run shop_web without alias + wait "
                               "shop_web + hand web over from shop_web_old to shop_web, drain 2s",
                               "rm-own shop_web", "rename shop_web_old shop_web"});
    }
    SUBCASE("an interrupted replacement is finished: the new container waited for, then the traffic handed over") {
        auto parked = running(f.deployment.services[1], "old-hash");
        parked.name = "shop_web_old";
        f.host.containers = {running(f.deployment.services[0], f.deployment.services[0].spec_hash),
                             running(f.deployment.services[1], f.deployment.services[1].spec_hash), parked};
        auto result = f.apply(f.plan());
        CHECK(result.ok());
        CHECK(result.applied == std::set<std::string>{"web"});
        CHECK(result.restored.empty());
        CHECK(f.steps() == std::vector<std::string>{"prepare", "wait shop_web",
                                                    "hand web over from shop_web_old to shop_web, drain 2s"});
    }
    SUBCASE("an interrupted replacement whose new container is not ready puts the old one back") {
        auto parked = running(f.deployment.services[1], "old-hash");
        parked.name = "shop_web_old";
        f.host.containers = {running(f.deployment.services[0], f.deployment.services[0].spec_hash),
                             running(f.deployment.services[1], f.deployment.services[1].spec_hash), parked};
        f.runner.on([](const std::vector<std::string>& argv) { return argv[0] == "sh" && argv[4] == "shop_web"; },
                    exec::Result{1, "", "timeout running starting\nstill warming up\n", ""});
        auto result = f.apply(f.plan());
        CHECK(result.applied.empty());
        CHECK(result.restored == std::set<std::string>{"web"});
        CHECK(error_of(result) == "service \"web\": not ready after 120s; its last log lines:\nstill warming up\n");
        CHECK(f.steps() == std::vector<std::string>{"prepare", "wait shop_web", "alias web to shop_web_old",
                                                    "rm-own shop_web", "rename shop_web_old shop_web",
                                                    "start shop_web"});
    }
    SUBCASE("after a failure no further service starts") {
        f.runner.on([](const std::vector<std::string>& argv) { return is_sequence_with(argv, "shop_db"); },
                    step_failed(0, "", "Unable to find image\n"));
        auto result = f.apply(f.plan());
        CHECK(error_of(result) == "service \"db\": docker run failed: Unable to find image");
        CHECK(f.steps() == std::vector<std::string>{"prepare", "run shop_db + wait shop_db", "rm-own shop_db",
                                                    "image inspect --format {{.Id}} postgres:16"});
    }
    SUBCASE("nothing to do runs nothing") {
        f.host.containers = {running(f.deployment.services[0], f.deployment.services[0].spec_hash),
                             running(f.deployment.services[1], f.deployment.services[1].spec_hash)};
        CHECK(f.apply(f.plan()).ok());
        CHECK(f.runner.commands().empty());
    }
}

TEST_CASE("docker::apply with secrets") {
    Fixture f;
    f.deployment = testing::render_yaml("web: {image: nginx, secrets: [TOKEN, KEY]}\n", "shop");
    auto run_argv = [&] {
        for (const auto& command : f.runner.commands()) {
            for (const auto& step : unfold(command.argv)) {
                if (step.size() > 1 && step[1] == "run") {
                    return step;
                }
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
        backend::ApplyOptions options;
        options.secrets["web"] = "TOKEN=t\nKEY=k\n";
        auto result = docker::apply(f.plan(), f.deployment, f.host, f.runner, f.reporter, options);
        CHECK(result.ok());
        auto commands = f.runner.commands();
        REQUIRE(commands.size() >= 2);
        CHECK(commands[0].argv[4] == "/var/lib/calzion/instances/shop");
        CHECK(commands[0].argv[5] == "web");
        CHECK(commands[0].input == "TOKEN=t\nKEY=k\n");
        CHECK(f.steps()[1] == "prepare + run shop_web + wait shop_web");
        CHECK(has_env_file(run_argv()));
    }
    SUBCASE("without values (a rollback), the env file already on the host is used") {
        f.host.secret_files["web"] = {"KEY", "TOKEN", "OLD"};
        auto result = f.apply(f.plan());
        CHECK(result.ok());
        CHECK(f.steps() == std::vector<std::string>{"prepare + run shop_web + wait shop_web"});
        CHECK(has_env_file(run_argv()));
    }
    SUBCASE("without values and without the file on the host, nothing is touched") {
        auto result = f.apply(f.plan());
        CHECK(error_of(result) ==
              "secret \"TOKEN\" of service \"web\" is not on the host (secrets/web.env): deploy the template with "
              "the secret set");
        CHECK(f.runner.commands().empty());
    }
    SUBCASE("a file on the host that lacks a secret is not enough") {
        f.host.secret_files["web"] = {"TOKEN"};
        auto result = f.apply(f.plan());
        CHECK(error_of(result) ==
              "secret \"KEY\" of service \"web\" is not on the host (secrets/web.env): deploy the template with the "
              "secret set");
        CHECK(f.runner.commands().empty());
    }
}

namespace {

// The commands of an apply with init, in words: "init shop_db createdb app",
// "marker db", "run shop_db", "wait shop_db", "rename a b"...
std::vector<std::string> init_steps(const test::FakeRunner& runner) {
    return describe_all(runner, [](const std::vector<std::string>& argv) -> std::string {
        auto words_from = [&](size_t first) {
            std::string line;
            for (size_t i = first; i < argv.size(); ++i) {
                line += (line.empty() ? "" : " ") + argv[i];
            }
            return line;
        };
        // sh -c TAIL calzion LINES docker exec CONTAINER sh -c MERGE calzion-init COMMAND...
        if (argv[0] == "sh" && argv.size() > 12 && argv[5] == "docker" && argv[6] == "exec") {
            return "init " + argv[7] + " " + words_from(12);
        }
        if (argv[0] == "sh" && argv[2].find("/init/") != std::string::npos) {
            return "marker " + argv[5];
        }
        if (argv[0] == "sh") {
            return argv[4].find('/') == 0                           ? "prepare"
                   : argv[2].find("docker rm") != std::string::npos ? "rm-own " + argv[4]
                                                                    : "wait " + argv[4];
        }
        if (argv[1] == "run") {
            return "run " + argv[5];
        }
        return words_from(1);
    });
}

bool is_init(const std::vector<std::string>& argv, const std::string& word) {
    return argv.size() > 12 && argv[5] == "docker" && argv[6] == "exec" && argv[12] == word;
}

const char* k_init_template = R"(
services:
  db: {image: "postgres:16", init: ["createdb app", [psql, -f, /schema.sql]]}
  web: {image: "nginx:1.25", depends_on: [db]}
)";

}  // namespace

TEST_CASE("docker::apply and init") {
    Fixture f;
    f.deployment = testing::render_yaml(k_init_template, "shop");

    SUBCASE("init runs in the ready container, in order, then the marker; only then the dependents start") {
        auto result = f.apply(f.plan());
        CHECK(result.ok());
        CHECK(result.applied == std::set<std::string>{"db", "web"});
        CHECK(init_steps(f.runner) == std::vector<std::string>{
                                          "prepare", "run shop_db + wait shop_db", "init shop_db createdb app",
                                          "init shop_db psql -f /schema.sql", "marker db",
                                          "run shop_web + wait shop_web"});
        auto commands = f.runner.commands();
        CHECK(commands[4].argv[4] == "/var/lib/calzion/instances/shop");
        CHECK(commands[4].input.find(R"("commands":[["createdb","app"],["psql","-f","/schema.sql"]])") !=
              std::string::npos);
        CHECK(commands[4].input.find(R"("revision":1)") != std::string::npos);
        CHECK(f.log.str().find("fake db: init: createdb app\n") != std::string::npos);
    }
    SUBCASE("a failing init fails the service: its output shown, its container removed, no marker, no dependent") {
        f.runner.on([](const std::vector<std::string>& argv) { return is_init(argv, "psql"); },
                    exec::Result{2, "", "connecting\nERROR: syntax error at line 3\n", ""});
        auto result = f.apply(f.plan());
        CHECK(result.applied.empty());
        CHECK(error_of(result) == "service \"db\": init command \"psql -f /schema.sql\" failed (exit 2); its last output "
                              "lines:\nconnecting\nERROR: syntax error at line 3\n");
        CHECK(init_steps(f.runner) == std::vector<std::string>{"prepare", "run shop_db + wait shop_db",
                                                               "init shop_db createdb app",
                                                               "init shop_db psql -f /schema.sql", "rm-own shop_db"});
    }
    SUBCASE("an init that prints nothing says so") {
        f.runner.on([](const std::vector<std::string>& argv) { return is_init(argv, "createdb"); },
                    exec::Result{1, "", "", ""});
        CHECK(error_of(f.apply(f.plan())) == "service \"db\": init command \"createdb app\" failed (exit 1) and printed nothing");
    }
    SUBCASE("a running container whose init has not run gets only its init, and keeps running if it fails") {
        f.host.containers = {running(f.deployment.services[0], f.deployment.services[0].spec_hash),
                             running(f.deployment.services[1], f.deployment.services[1].spec_hash)};
        auto result = f.apply(f.plan());
        CHECK(result.ok());
        CHECK(result.applied == std::set<std::string>{"db"});
        CHECK(init_steps(f.runner) == std::vector<std::string>{"prepare", "init shop_db createdb app",
                                                               "init shop_db psql -f /schema.sql", "marker db"});

        test::FakeRunner failing;
        failing.on([](const std::vector<std::string>& argv) { return is_init(argv, "createdb"); },
                   exec::Result{3, "", "exists\n", ""});
        auto failed = docker::apply(f.plan(), f.deployment, f.host, failing, f.reporter, {});
        CHECK(error_of(failed) == "service \"db\": init command \"createdb app\" failed (exit 3); its last output lines:\nexists\n");
        CHECK(init_steps(failing) == std::vector<std::string>{"prepare", "init shop_db createdb app"});
    }
    SUBCASE("a replacement whose init fails is rolled back: the old container comes back") {
        f.host.containers = {running(f.deployment.services[0], "old-hash"),
                             running(f.deployment.services[1], f.deployment.services[1].spec_hash)};
        f.runner.on([](const std::vector<std::string>& argv) { return is_init(argv, "createdb"); },
                    exec::Result{1, "", "no\n", ""});
        auto result = f.apply(f.plan());
        CHECK_FALSE(result.ok());
        CHECK(init_steps(f.runner) == std::vector<std::string>{
                                          "prepare + rename shop_db shop_db_old + run shop_db + wait shop_db",
                                          "init shop_db createdb app", "rm-own shop_db",
                                          "rename shop_db_old shop_db"});
    }
    SUBCASE("with the marker on the host, nothing runs again") {
        f.host.init_done = {"db"};
        f.apply(f.plan());
        for (const auto& step : init_steps(f.runner)) {
            CHECK(step.find("init") != 0);
            CHECK(step.find("marker") != 0);
        }
    }
}

TEST_CASE("docker::apply and the pull policy") {
    Fixture f;
    f.deployment = testing::render_yaml("web: {image: local/nope:1, pull: never}\nbox: {image: local/busybox:1}\n", "shop");
    auto pull_flags = [&] {
        std::vector<std::string> flags;
        for (const auto& command : f.runner.commands()) {
            for (const auto& step : unfold(command.argv)) {
                if (step.size() > 3 && step[1] == "run") {
                    flags.push_back(step[5] + " " + step[3]);
                }
            }
        }
        std::sort(flags.begin(), flags.end());  // the two start concurrently
        return flags;
    };

    SUBCASE("each service's own policy, else missing") {
        CHECK(f.apply(f.plan()).ok());
        CHECK(pull_flags() == std::vector<std::string>{"shop_box --pull=missing", "shop_web --pull=never"});
    }
    SUBCASE("a policy for every service (deploy --pull) wins") {
        backend::ApplyOptions options;
        options.pull = docker::PullPolicy::always;
        CHECK(docker::apply(f.plan(), f.deployment, f.host, f.runner, f.reporter, options).ok());
        CHECK(pull_flags() == std::vector<std::string>{"shop_box --pull=always", "shop_web --pull=always"});
    }
    SUBCASE("never, and the host lacks the image: said so, with docker's words") {
        f.deployment = testing::render_yaml("web: {image: local/nope:1, pull: never}\n", "shop");
        f.runner.on([](const std::vector<std::string>& argv) { return is_sequence_with(argv, "shop_web"); },
                    step_failed(1, "", "docker: Error response from daemon: No such image: local/nope:1.\n"));
        f.runner.on_prefix({"docker", "image", "inspect"}, exec::Result{1, "", "", "Error: No such image: local/nope:1\n"});
        CHECK(error_of(f.apply(f.plan())) ==
              "service \"web\": image \"local/nope:1\" is not on the host, and pull policy \"never\" does not pull "
              "it: docker: Error response from daemon: No such image: local/nope:1.");
    }
    SUBCASE("a pull that fails names the image and the policy") {
        backend::ApplyOptions options;
        options.pull = docker::PullPolicy::always;
        f.deployment = testing::render_yaml("web: {image: local/nope:1, pull: never}\n", "shop");
        f.runner.on([](const std::vector<std::string>& argv) { return is_sequence_with(argv, "shop_web"); },
                    step_failed(1, "", "Error response from daemon: no such host\n"));
        f.runner.on_prefix({"docker", "image", "inspect"}, exec::Result{1, "", "", ""});
        CHECK(error_of(docker::apply(f.plan(), f.deployment, f.host, f.runner, f.reporter, options)) ==
              "service \"web\": cannot pull image \"local/nope:1\" (pull policy \"always\"): Error response from "
              "daemon: no such host");
    }
}

namespace {

// Whether some command so far is the start script of `container`.
bool started(const test::FakeRunner& runner, const std::string& container) {
    auto commands = runner.commands();
    return std::any_of(commands.begin(), commands.end(),
                       [&](const exec::Command& command) { return is_sequence_with(command.argv, container); });
}

}  // namespace

TEST_CASE("docker::apply on the one executor") {
    Fixture f;
    f.deployment = testing::render_yaml(R"(
services:
  a: {image: "busybox:1"}
  b: {image: "busybox:1"}
  c: {image: "busybox:1"}
  d: {image: "busybox:1", depends_on: [b]}
)",
                                        "shop");

    SUBCASE("an exception that is not an Error fails its service: no hang, the others' outcomes kept") {
        // b throws once a and c have started, so that they run alongside it.
        f.runner.on_call([](const std::vector<std::string>& argv) { return is_sequence_with(argv, "shop_b"); },
                         [&](const exec::Command&) -> exec::Result {
                             for (int i = 0; i < 1000 && !(started(f.runner, "shop_a") && started(f.runner, "shop_c"));
                                  ++i) {
                                 std::this_thread::sleep_for(std::chrono::milliseconds(10));
                             }
                             throw std::runtime_error("bad_alloc in the runner");
                         });
        auto result = f.apply(f.plan());
        REQUIRE(result.error);
        CHECK(result.error->kind() == ErrorKind::operation_failed);
        CHECK(result.error->message() == "service \"b\": internal error: bad_alloc in the runner");
        CHECK(result.applied == std::set<std::string>{"a", "c"});
        CHECK_FALSE(started(f.runner, "shop_d"));
        CHECK(f.log.str().find("fake b: internal error: bad_alloc in the runner") != std::string::npos);
    }
    SUBCASE("an Error keeps its kind and its host") {
        f.runner.on_call([](const std::vector<std::string>& argv) { return is_sequence_with(argv, "shop_b"); },
                         [](const exec::Command&) -> exec::Result {
                             throw Error(ErrorKind::unreachable, "connection to web1 lost: reset").on_host("web1");
                         });
        auto result = f.apply(f.plan());
        REQUIRE(result.error);
        CHECK(result.error->kind() == ErrorKind::unreachable);
        CHECK(result.error->host() == "web1");
        CHECK(result.error->message() == "service \"b\": connection to web1 lost: reset");
        CHECK_FALSE(started(f.runner, "shop_d"));
    }
    SUBCASE("a failure while preparing the host keeps its kind") {
        f.runner.on_call([](const std::vector<std::string>& argv) { return unfold(argv).size() == 1 && argv[0] == "sh"; },
                         [](const exec::Command&) -> exec::Result {
                             throw Error(ErrorKind::permission, "permission denied");
                         });
        auto result = f.apply(f.plan());
        REQUIRE(result.error);
        CHECK(result.error->kind() == ErrorKind::permission);
        CHECK(result.error->message() == "permission denied");
        CHECK(result.applied.empty());
    }
}
