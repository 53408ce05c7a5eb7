// deploy_all, rollback_all and destroy_all across several fake hosts (the fake
// connector): one host's failure is that host's, named after it, and the other
// hosts' outcomes are kept.

#include <doctest/doctest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>

#include "deploy/deploy.hpp"
#include "deploy/instances.hpp"
#include "deploy/rollback.hpp"
#include "fake_connector.hpp"
#include "render/deployment_json.hpp"
#include "events/reporter.hpp"
#include "template_helpers.hpp"

using namespace calzion;

namespace {

const char* k_template = R"(
services:
  web: {image: "nginx:1.25"}
)";

const std::vector<std::string> k_hosts = {"h1", "h2", "h3"};

bool is_lock(const std::vector<std::string>& argv) {
    return argv.size() > 2 && argv[2].find("calzion_lock \"$d/instances/") != std::string::npos;
}

bool is_record(const std::vector<std::string>& argv) {
    return argv.size() > 2 && argv[2].find("/audit.log\"") != std::string::npos &&
           argv[2].find("revisions/$rev.json") != std::string::npos;
}

bool is_history(const std::vector<std::string>& argv) {
    return argv.size() > 2 && argv[2].find("@@calzion revision ${n%.json}") != std::string::npos;
}

bool is_docker_run(const std::vector<std::string>& argv) {
    return std::find(argv.begin(), argv.end(), "--name") != argv.end();
}

// A revision document for the template's deployment.
std::string revision_document(int revision) {
    auto deployment = testing::render_yaml(k_template, "shop");
    nlohmann::ordered_json document = {{"format", 1},      {"revision", revision}, {"status", "succeeded"},
                                       {"command", "deploy"}, {"time", "2026-01-01T00:00:00Z"},
                                       {"user", "alice"},     {"machine", "laptop"},
                                       {"deployment", render::deployment_to_json(deployment)}};
    return document.dump();
}

// What the lock script prints once it holds the lock: the instance at
// `revision` (0: not deployed), nothing running.
std::string locked_dump(int revision) {
    return "@@calzion locked\n@@calzion state_dir\n/srv/calzion\n@@calzion format\n" +
           std::string(revision ? "1\n" : "") + "@@calzion current\n" +
           (revision ? std::to_string(revision) : "") + "\n@@calzion revision\n" +
           (revision ? revision_document(revision) + "\n" : "") +
           "@@calzion lock\n@@calzion secrets\n@@calzion secrets-applied\n@@calzion init\n@@calzion observed\n"
           "@@docker inspect\n@@docker volumes\n@@calzion end\n";
}

const char* k_owner =
    R"({"user":"bob","machine":"desk","pid":42,"since":"2026-01-01T00:00:00Z","command":"deploy"})";

struct Hosts {
    std::shared_ptr<test::FakeConnector> connector = std::make_shared<test::FakeConnector>();
    std::ostringstream log;
    events::LineReporter reporter{log, false};

    int revision;
    bool scripted = false;

    explicit Hosts(int at = 0) : revision(at) {}

    // The hosts, each answering the lock with the instance at `revision` unless
    // its lock is held.
    deploy::Targets targets() {
        if (!scripted) {
            scripted = true;
            for (const auto& host : k_hosts) {
                connector->host(host).on(is_lock, {0, "", locked_dump(revision), ""});
            }
        }
        deploy::Targets targets;
        targets.hosts = k_hosts;
        targets.connector = connector;
        return targets;
    }

    // Before targets(): rules match in order.
    void lock_held_on(const std::string& host) {
        connector->host(host).on(is_lock, {75, "", std::string("@@calzion held\n") + k_owner + "\n", ""});
    }

    // Whether `host` recorded a revision with `status`.
    bool recorded(const std::string& host, const std::string& status) {
        for (const auto& command : connector->host(host).commands()) {
            if (is_record(command.argv) && command.input.find("\"status\":\"" + status + "\"") != std::string::npos) {
                return true;
            }
        }
        return false;
    }

    bool ran_docker(const std::string& host) {
        auto commands = connector->host(host).commands();
        return std::any_of(commands.begin(), commands.end(), [](const exec::Command& command) {
            return is_docker_run(command.argv) ||
                   std::find(command.argv.begin(), command.argv.end(), "docker") != command.argv.end();
        });
    }
};

deploy::DeployRequest deploy_request(Hosts& hosts) {
    deploy::DeployRequest request;
    request.source = testing::source_of(k_template);
    request.render.instance = "shop";
    request.targets = hosts.targets();
    return request;
}

template <typename Outcome>
const Outcome& outcome_of(const std::vector<Outcome>& outcomes, const std::string& host) {
    auto found = std::find_if(outcomes.begin(), outcomes.end(), [&](const Outcome& o) { return o.host == host; });
    REQUIRE(found != outcomes.end());
    return *found;
}

}  // namespace

TEST_CASE("deploy::deploy_all") {
    Hosts hosts;

    SUBCASE("every host deployed: each records revision 1") {
        auto outcomes = deploy::deploy_all(deploy_request(hosts), hosts.reporter);
        REQUIRE(outcomes.size() == 3);
        for (const auto& host : k_hosts) {
            CHECK_FALSE(outcome_of(outcomes, host).error);
            CHECK(outcome_of(outcomes, host).revision_after == 1);
            CHECK(hosts.recorded(host, "succeeded"));
        }
    }
    SUBCASE("the lock held on one host: that host fails with lock_held, the others deploy") {
        hosts.lock_held_on("h2");
        auto outcomes = deploy::deploy_all(deploy_request(hosts), hosts.reporter);
        const auto& h2 = outcome_of(outcomes, "h2");
        REQUIRE(h2.error);
        CHECK(h2.error->kind() == ErrorKind::lock_held);
        CHECK(h2.error->host() == "h2");
        CHECK(h2.error->message() ==
              "instance \"shop\" is locked by bob@desk (deploy since 2026-01-01T00:00:00Z, pid 42); retry later or "
              "wait with --lock-timeout");
        CHECK_FALSE(hosts.ran_docker("h2"));
        CHECK(hosts.recorded("h1", "succeeded"));
        CHECK(hosts.recorded("h3", "succeeded"));
    }
    SUBCASE("one host unreachable: it fails with unreachable, the others deploy") {
        hosts.connector->refuse("h1", Error(ErrorKind::unreachable, "cannot connect: connection refused"));
        auto outcomes = deploy::deploy_all(deploy_request(hosts), hosts.reporter);
        const auto& h1 = outcome_of(outcomes, "h1");
        REQUIRE(h1.error);
        CHECK(h1.error->kind() == ErrorKind::unreachable);
        CHECK(h1.error->host() == "h1");
        CHECK(hosts.recorded("h2", "succeeded"));
        CHECK(hosts.recorded("h3", "succeeded"));
    }
    SUBCASE("a failure mid-apply: operation_failed for that host, recorded as failed, never as succeeded") {
        hosts.connector->host("h3").on(is_docker_run, {100, "", "", "no space left on device"});
        auto outcomes = deploy::deploy_all(deploy_request(hosts), hosts.reporter);
        const auto& h3 = outcome_of(outcomes, "h3");
        REQUIRE(h3.error);
        CHECK(h3.error->kind() == ErrorKind::operation_failed);
        CHECK(h3.error->host() == "h3");
        CHECK(hosts.recorded("h3", "failed"));
        CHECK_FALSE(hosts.recorded("h3", "succeeded"));
        CHECK(hosts.recorded("h1", "succeeded"));
        CHECK(hosts.recorded("h2", "succeeded"));
    }
    SUBCASE("a host's runner throws something that is no calzion::Error: an error for that host, no hang") {
        hosts.connector->host("h2").raise_on(is_docker_run, [] { throw std::runtime_error("bad_alloc in a plugin"); });
        auto outcomes = deploy::deploy_all(deploy_request(hosts), hosts.reporter);
        const auto& h2 = outcome_of(outcomes, "h2");
        REQUIRE(h2.error);
        CHECK(h2.error->kind() == ErrorKind::operation_failed);
        CHECK(h2.error->host() == "h2");
        CHECK(h2.error->message().find("internal error: bad_alloc in a plugin") != std::string::npos);
        CHECK(hosts.recorded("h1", "succeeded"));
        CHECK(hosts.recorded("h3", "succeeded"));
    }
}

TEST_CASE("deploy::rollback_all") {
    Hosts hosts(2);
    for (const auto& host : k_hosts) {
        hosts.connector->host(host).on(is_history, {0, "",
                                                    "@@calzion state_dir\n/srv/calzion\n@@calzion format\n1\n"
                                                    "@@calzion current\n2\n@@calzion revision 1\n" +
                                                        revision_document(1) + "\n@@calzion revision 2\n" +
                                                        revision_document(2) + "\n@@calzion end\n",
                                                    ""});
    }
    deploy::RollbackRequest request;
    request.instance = "shop";

    SUBCASE("the lock held on one host and another unreachable: the third rolls back") {
        hosts.lock_held_on("h1");
        hosts.connector->refuse("h2", Error(ErrorKind::unreachable, "cannot connect: no route to host"));
        request.targets = hosts.targets();
        auto outcomes = deploy::rollback_all(request, hosts.reporter);
        REQUIRE(outcome_of(outcomes, "h1").error);
        CHECK(outcome_of(outcomes, "h1").error->kind() == ErrorKind::lock_held);
        REQUIRE(outcome_of(outcomes, "h2").error);
        CHECK(outcome_of(outcomes, "h2").error->kind() == ErrorKind::unreachable);
        CHECK_FALSE(outcome_of(outcomes, "h3").error);
        CHECK(outcome_of(outcomes, "h3").revision_after == 3);
        CHECK(hosts.recorded("h3", "succeeded"));
        CHECK_FALSE(hosts.recorded("h1", "succeeded"));
    }
    SUBCASE("a failure mid-apply on one host: operation_failed there, recorded as failed; the others roll back") {
        hosts.connector->host("h2").on(is_docker_run, {100, "", "", "image gone"});
        request.targets = hosts.targets();
        auto outcomes = deploy::rollback_all(request, hosts.reporter);
        REQUIRE(outcome_of(outcomes, "h2").error);
        CHECK(outcome_of(outcomes, "h2").error->kind() == ErrorKind::operation_failed);
        CHECK(hosts.recorded("h2", "failed"));
        CHECK_FALSE(hosts.recorded("h2", "succeeded"));
        CHECK(hosts.recorded("h1", "succeeded"));
        CHECK(hosts.recorded("h3", "succeeded"));
    }
}

TEST_CASE("deploy::destroy_all") {
    Hosts hosts(1);

    SUBCASE("lock held, unreachable, and a throwing runner: each that host's error; the last host is destroyed") {
        hosts.lock_held_on("h1");
        hosts.connector->refuse("h2", Error(ErrorKind::unreachable, "cannot connect: timed out"));
        hosts.connector->host("h3");
        auto outcomes = deploy::destroy_all(hosts.targets(), "shop", false, 0, hosts.reporter);
        REQUIRE(outcomes.size() == 3);
        CHECK(outcome_of(outcomes, "h1").error->kind() == ErrorKind::lock_held);
        CHECK(outcome_of(outcomes, "h2").error->kind() == ErrorKind::unreachable);
        CHECK(outcome_of(outcomes, "h2").error->host() == "h2");
        CHECK_FALSE(outcome_of(outcomes, "h3").error);
        CHECK(outcome_of(outcomes, "h3").instance_dir == "/srv/calzion/instances/shop");
    }
    SUBCASE("a runner that throws no calzion::Error on one host: an error for that host, the others destroyed") {
        hosts.connector->host("h2").raise_on([](const std::vector<std::string>& argv) { return argv[0] == "docker"; },
                                             [] { throw std::logic_error("unexpected"); });
        auto outcomes = deploy::destroy_all(hosts.targets(), "shop", false, 0, hosts.reporter);
        REQUIRE(outcome_of(outcomes, "h2").error);
        CHECK(outcome_of(outcomes, "h2").error->message() == "internal error: unexpected");
        CHECK(outcome_of(outcomes, "h2").error->host() == "h2");
        CHECK_FALSE(outcome_of(outcomes, "h1").error);
        CHECK_FALSE(outcome_of(outcomes, "h3").error);
    }
}
