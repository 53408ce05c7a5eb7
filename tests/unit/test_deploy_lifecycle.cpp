#include <doctest/doctest.h>

#include <sstream>

#include "deploy/lifecycle.hpp"
#include "fake_runner.hpp"
#include "state/host_state.hpp"
#include "util/error.hpp"

using namespace calzion;

namespace {

// One container as the state read's `docker inspect --format` prints it: a line.
std::string container_json(const std::string& service, const std::string& status) {
    return R"({"Id":"id-)" + service + R"(","Name":"/shop_)" + service + R"(","State":{"Status":")" + status +
           R"("},"Config":{"Labels":{"io.calzion.instance":"shop","io.calzion.service":")" + service + R"("}}})" +
           "\n";
}

// What the lock script prints for instance "shop" at revision 3, whose services
// start in the order db, cache, web.
std::string locked_dump(const std::string& containers) {
    render::Deployment deployment{"shop", "cz-shop", 3, {}};
    for (const char* name : {"db", "cache", "web"}) {
        render::RenderedService service;
        service.name = name;
        service.container = std::string("shop_") + name;
        deployment.services.push_back(service);
    }
    state::Revision revision;
    revision.revision = 3;
    revision.deployment = deployment;
    return "@@calzion locked\n@@calzion state_dir\n/var/lib/calzion\n@@calzion format\n1\n@@calzion current\n3\n"
           "@@calzion revision\n" +
           state::revision_to_json(revision) + "\n@@calzion lock\n@@calzion observed\n@@docker inspect\n" + containers +
           "@@calzion end\n";
}

bool is_script(const std::vector<std::string>& argv, const std::string& text) {
    return argv.size() > 2 && argv[0] == "sh" && argv[2].find(text) != std::string::npos;
}

struct Fixture {
    test::FakeRunner runner;
    std::ostringstream log;
    events::LineReporter reporter{log, false};
    deploy::LifecycleRequest request;
    deploy::LifecycleOutcome outcome;

    explicit Fixture(const std::string& containers) {
        runner.on([](const auto& argv) { return is_script(argv, "@@calzion locked"); },
                  exec::Result{0, "", locked_dump(containers), ""});
        request.instance = "shop";
    }

    void run(deploy::Lifecycle action, std::vector<std::string> services = {}) {
        request.action = action;
        request.services = std::move(services);
        deploy::lifecycle_on(outcome, runner, request, reporter);
    }

    // The commands run, scripts by what they do: "lock", "wait shop_web", "audit".
    std::vector<std::string> steps() const {
        std::vector<std::string> out;
        for (const auto& command : runner.commands()) {
            const auto& argv = command.argv;
            if (is_script(argv, "@@calzion locked")) {
                out.push_back("lock");
            } else if (is_script(argv, "audit.log")) {
                out.push_back("audit");
            } else if (is_script(argv, "verdict")) {
                out.push_back("wait " + argv[4]);
            } else {
                out.push_back(argv[1] + " " + argv[2]);
            }
        }
        return out;
    }

    // The audit line the host was given.
    std::string audit() const {
        for (const auto& command : runner.commands()) {
            if (is_script(command.argv, "audit.log")) {
                CHECK(command.argv[4] == "/var/lib/calzion/instances/shop");
                return command.argv[5];
            }
        }
        return "";
    }

    std::vector<std::string> changes() const {
        std::vector<std::string> out;
        for (const auto& change : outcome.changes) {
            out.push_back(change.service + ": " + change.change);
        }
        return out;
    }
};

const std::string k_all_running = container_json("db", "running") + container_json("cache", "running") +
                                  container_json("web", "running");

}  // namespace

TEST_CASE("deploy::select_services") {
    state::HostState observed;
    observed.current_revision = 3;
    for (const char* name : {"db", "cache", "web"}) {
        observed.recorded.push_back({name, std::string("shop_") + name, "", "", {}, {}, {}, {}});
    }
    auto names = [&](const std::vector<std::string>& requested) {
        std::vector<std::string> out;
        for (const auto& service : deploy::select_services(observed, "shop", requested)) {
            out.push_back(service.name);
        }
        return out;
    };

    CHECK(names({}) == std::vector<std::string>{"db", "cache", "web"});
    SUBCASE("the services named, in start order, each once") {
        CHECK(names({"web", "db", "web"}) == std::vector<std::string>{"db", "web"});
    }
    SUBCASE("an unknown service is a usage error that lists the services") {
        CHECK_THROWS_WITH_AS(names({"web", "nope"}),
                             "unknown service \"nope\" in instance \"shop\" (its services: db, cache, web)", Error);
        CHECK_THROWS_WITH_AS(names({"wbe"}),
                             "unknown service \"wbe\" in instance \"shop\", did you mean \"web\"? "
                             "(its services: db, cache, web)",
                             Error);
    }
    SUBCASE("an instance that was never deployed there") {
        observed.current_revision = 0;
        observed.recorded.clear();
        CHECK_THROWS_WITH_AS(names({}), "instance \"shop\" is not deployed on the host", Error);
    }
}

TEST_CASE("deploy::lifecycle_on") {
    SUBCASE("stop: in reverse start order, then the audit line") {
        Fixture f(k_all_running);
        f.run(deploy::Lifecycle::stop);
        CHECK(f.steps() == std::vector<std::string>{"lock", "stop shop_web", "stop shop_cache", "stop shop_db", "audit"});
        CHECK(f.changes() == std::vector<std::string>{"web: stopped", "cache: stopped", "db: stopped"});
        CHECK(f.audit().find(R"("command":"stop","services":["db","cache","web"],"revision":3,"result":"succeeded")") !=
              std::string::npos);
        CHECK(f.log.str().find("fake web: stopped\n") != std::string::npos);
    }
    SUBCASE("stop of one service leaves the others alone; a stopped one stays as it is") {
        Fixture f(container_json("db", "running") + container_json("web", "exited"));
        f.run(deploy::Lifecycle::stop, {"web", "db", "cache"});
        CHECK(f.steps() == std::vector<std::string>{"lock", "stop shop_db", "audit"});
        CHECK(f.changes() == std::vector<std::string>{"web: already stopped", "cache: no container", "db: stopped"});
    }
    SUBCASE("start: in start order, each ready before the next; running ones are left alone") {
        Fixture f(container_json("db", "exited") + container_json("cache", "running") +
                  container_json("web", "created"));
        f.run(deploy::Lifecycle::start);
        CHECK(f.steps() == std::vector<std::string>{"lock", "start shop_db", "wait shop_db", "start shop_web",
                                                    "wait shop_web", "audit"});
        CHECK(f.changes() == std::vector<std::string>{"db: started", "cache: already running", "web: started"});
    }
    SUBCASE("restart: stop in reverse order, then start in order") {
        Fixture f(k_all_running);
        f.run(deploy::Lifecycle::restart, {"web", "db"});
        CHECK(f.steps() == std::vector<std::string>{"lock", "stop shop_web", "stop shop_db", "start shop_db",
                                                    "wait shop_db", "start shop_web", "wait shop_web", "audit"});
        CHECK(f.audit().find(R"("command":"restart","services":["db","web"])") != std::string::npos);
    }
    SUBCASE("a service that does not become ready: exit 1 with its logs, later ones left alone, audited") {
        Fixture f(k_all_running);
        f.runner.on([](const auto& argv) { return is_script(argv, "verdict") && argv[4] == "shop_cache"; },
                    exec::Result{1, "", "failed exited none\nno config\n", ""});
        try {
            f.run(deploy::Lifecycle::restart);
            FAIL("expected the restart to fail");
        } catch (const Error& error) {
            CHECK(error.kind() == ErrorKind::operation_failed);
            CHECK(error.message() == "service \"cache\": failed to start (exited); its last log lines:\nno config\n");
        }
        CHECK(f.steps() == std::vector<std::string>{"lock", "stop shop_web", "stop shop_cache", "stop shop_db",
                                                    "start shop_db", "wait shop_db", "start shop_cache",
                                                    "wait shop_cache", "audit"});
        CHECK(f.audit().find(R"("result":"failed","message":"service \"cache\": failed to start (exited))") !=
              std::string::npos);
    }
    SUBCASE("docker refusing to start a container") {
        Fixture f(container_json("db", "exited"));
        f.runner.on_prefix({"docker", "start"}, exec::Result{1, "", "", "Error response from daemon: no\n"});
        CHECK_THROWS_WITH_AS(f.run(deploy::Lifecycle::start, {"db"}),
                             "docker start failed: Error response from daemon: no", Error);
    }
    SUBCASE("start of a service whose container is gone") {
        Fixture f(container_json("db", "running"));
        CHECK_THROWS_WITH_AS(f.run(deploy::Lifecycle::start, {"web"}),
                             "service \"web\" has no container on the host; deploy creates it again", Error);
    }
    SUBCASE("an unknown service touches nothing and records nothing") {
        Fixture f(k_all_running);
        CHECK_THROWS_AS(f.run(deploy::Lifecycle::stop, {"nope"}), Error);
        CHECK(f.steps() == std::vector<std::string>{"lock"});
    }
}
