#include <doctest/doctest.h>

#include <algorithm>
#include <sstream>

#include "exec/sequence.hpp"
#include "fake_runner.hpp"
#include "state/fields.hpp"
#include "swarm/apply.hpp"
#include "swarm/desired.hpp"
#include "swarm/observe.hpp"
#include "swarm/update.hpp"
#include "swarm_captures.hpp"
#include "template_helpers.hpp"
#include "util/sha256.hpp"

using namespace calzion;

namespace {

// The template deployed as instance try1 on the one-node swarm whose answers
// are captured in tests/data/swarm (no IPVS, state directory /var/lib/calzion).
const std::string k_template = std::string(testing::k_swarm_web) + R"(  worker:
    image: local/busybox:1
    cmd: ["sh", "-c", "exec sleep 3600"]
    depends_on: [web]
    init: [["sh", "-c", "echo init ran on $$(hostname); cat /run/secrets/TOKEN | wc -c; touch /data/init-done"]]
    secrets: [TOKEN]
    volumes: ["data:/data"]
)";

// What the observer prints on a manager without any service of the instance.
const char* k_empty_swarm =
    "@@swarm ipvs\nno\n@@swarm services\n@@swarm tasks\n@@swarm nodes\nn1 host1\n@@swarm images\n"
    "@@swarm volumes\n@@swarm versions\n";

const std::string k_idir = "/var/lib/calzion/instances/try1";

bool script_with(const std::vector<std::string>& argv, const std::string& text) {
    return argv.size() > 2 && argv[0] == "sh" && argv[2].find(text) != std::string::npos;
}

std::string joined(const std::vector<std::string>& words, size_t from) {
    std::string out;
    for (size_t i = from; i < words.size(); ++i) {
        out += (out.empty() ? "" : " ") + words[i];
    }
    return out;
}

// Each command in a few words: "converge try1_web: docker service update ...".
std::string describe(const std::vector<std::string>& argv) {
    if (!exec::sequence_steps(argv).empty()) {
        return "mark secrets " + exec::sequence_steps(argv)[1][5];
    }
    if (script_with(argv, "count_tasks")) {
        return "converge " + argv[5] + ": " + joined(argv, 9);
    }
    if (script_with(argv, "docker network create --driver overlay")) {
        return "prepare " + joined(argv, 4);
    }
    if (script_with(argv, "docker service logs --raw")) {
        return "init job " + argv[4];
    }
    if (script_with(argv, "$idir/init")) {
        return "init marker " + argv[5];
    }
    if (script_with(argv, "docker secret ls")) {
        return "prune secrets";
    }
    if (script_with(argv, "rmdir")) {
        return "forget versions " + joined(argv, 6);
    }
    return joined(argv, 0);
}

struct Fixture {
    render::Deployment deployment;
    state::HostState host;
    test::FakeRunner runner{"host1"};
    std::ostringstream log;
    events::LineReporter reporter{log, false};
    backend::ApplyOptions options;
    plan::PlanOptions plan_options;

    explicit Fixture(const std::string& observed, const std::map<std::string, std::string>& set = {})
        : deployment(testing::render_yaml(k_template, "try1", set)) {
        host.state_dir = "/var/lib/calzion";
        host.observer_output = observed;
        options.wait_timeout = 60;
    }

    // The host's records of revision 1, as the captured services were deployed.
    void deployed() {
        host.current_revision = 1;
        swarm::SwarmView view = swarm::parse_view(host.observer_output, {});
        for (const auto& workload : view.observed.workloads) {
            plan::RecordedService recorded;
            recorded.name = workload.service;
            recorded.container = workload.name;
            recorded.spec_hash = workload.spec_hash;
            host.recorded.push_back(recorded);
        }
        host.init_done = {"worker"};
    }

    plan::Plan plan() {
        std::map<std::string, plan::Fields> fields;
        for (const auto& service : deployment.services) {
            fields[service.name] = state::fields_of(service);
        }
        return plan::make_plan(deployment, fields, host, swarm::parse_view(host.observer_output, {}).observed,
                               plan_options);
    }

    backend::ApplyResult apply(const plan::Plan& plan) {
        return swarm::apply(plan, deployment, host, runner, reporter, options);
    }

    std::vector<std::string> steps() const {
        std::vector<std::string> out;
        for (const auto& command : runner.commands()) {
            out.push_back(describe(command.argv));
        }
        return out;
    }

    swarm::ServiceSpec spec(const std::string& service, const std::string& token) const {
        return swarm::desired_spec(*deployment.find(service),
                                   {"try1", "cz-try1", "/var/lib/calzion", false, {{"TOKEN", token}}, 2});
    }
};

std::string error_of(const backend::ApplyResult& result) { return result.error ? result.error->message() : ""; }

}  // namespace

TEST_CASE("swarm::apply: a plan with nothing to change runs no command") {
    Fixture f(testing::swarm_capture("observed_converged.txt"));
    f.deployed();
    plan::Plan plan = f.plan();
    CHECK_FALSE(plan.has_changes());
    CHECK(f.apply(plan).ok());
    CHECK(f.runner.commands().empty());
}

TEST_CASE("swarm::apply: a new instance") {
    Fixture f(k_empty_swarm);
    f.options.secrets = {{"web", "TOKEN=s3cret-one\n"}, {"worker", "TOKEN=s3cret-one\n"}};
    f.runner.on([](const auto& argv) { return script_with(argv, "count_tasks"); },
                exec::Result{0, "", "converged none 1/1 none\n", ""});
    auto result = f.apply(f.plan());
    CHECK(error_of(result) == "");
    CHECK(result.applied == std::set<std::string>{"web", "worker"});
    std::string web = joined(swarm::create_argv(f.spec("web", "try1_TOKEN_2ed45968")), 0);
    std::string worker = joined(swarm::create_argv(f.spec("worker", "try1_TOKEN_2ed45968")), 0);
    CHECK(f.steps() ==
          std::vector<std::string>{
              // The network, the volumes checked, the secret created once with its value on stdin.
              "prepare cz-try1 try1 /var/lib/calzion 2 cz_try1_data czdir_try1_web.cache.4f7cfe6f try1_TOKEN_2ed45968",
              "converge try1_web: " + web, "mark secrets web",
              // worker comes after web: it starts once web converged.
              "converge try1_worker: " + worker, "init job try1_worker_init", "init marker worker",
              "mark secrets worker", "prune secrets"});
    CHECK(f.runner.commands()[0].input == "s3cret-one\n");
    CHECK(f.log.str().find("host1 web: create (1 task): new service\nhost1 web: converged (1/1 tasks running)\n") !=
          std::string::npos);
}

TEST_CASE("swarm::apply: a changed service is updated with what differs") {
    Fixture f(testing::swarm_capture("observed_converged.txt"), {{"GREETING", "hello"}});
    f.deployed();
    f.runner.on([](const auto& argv) { return script_with(argv, "count_tasks"); },
                exec::Result{0, "", "converged completed 1/1 none\n", ""});
    plan::Plan plan = f.plan();
    CHECK(plan.find("web")->kind == plan::ActionKind::replace);
    CHECK(plan.find("worker")->kind == plan::ActionKind::unchanged);
    auto result = f.apply(plan);
    CHECK(error_of(result) == "");
    CHECK(result.applied == std::set<std::string>{"web"});
    // No values given (a rollback would give none): the service keeps the secrets it mounts.
    swarm::ServiceSpec wanted = f.spec("web", "try1_TOKEN_2ed45968");
    CHECK(f.steps() ==
          std::vector<std::string>{
              "prepare cz-try1 try1 /var/lib/calzion 2 cz_try1_data czdir_try1_web.cache.4f7cfe6f",
              "converge try1_web: docker service update --detach --no-resolve-image --label-add io.calzion.spec-hash=" +
                  wanted.labels.at("io.calzion.spec-hash") + " --container-label-add io.calzion.task=" +
                  wanted.container_labels.at("io.calzion.task") + " --env-add GREETING=hello try1_web",
              "prune secrets"});
}

TEST_CASE("swarm::apply: secrets rotated") {
    Fixture f(testing::swarm_capture("observed_converged.txt"));
    f.deployed();
    f.options.secrets = {{"web", "TOKEN=s3cret-two\n"}, {"worker", "TOKEN=s3cret-two\n"}};
    f.plan_options.secret_digests = {{"web", util::sha256_hex("TOKEN=s3cret-two\n")},
                                     {"worker", util::sha256_hex("TOKEN=s3cret-two\n")}};
    f.runner.on([](const auto& argv) { return script_with(argv, "count_tasks"); },
                exec::Result{0, "", "converged completed 1/1 none\n", ""});
    f.runner.on([](const auto& argv) { return script_with(argv, "docker secret ls"); },
                exec::Result{0, "", "try1_TOKEN_2ed45968\n", ""});
    auto result = f.apply(f.plan());
    CHECK(error_of(result) == "");
    auto steps = f.steps();
    REQUIRE(steps.size() == 6);
    CHECK(steps[0] == "prepare cz-try1 try1 /var/lib/calzion 2 cz_try1_data czdir_try1_web.cache.4f7cfe6f "
                      "try1_TOKEN_93cf9e8e");
    CHECK(f.runner.commands()[0].input == "s3cret-two\n");
    std::string rotate = "--secret-rm try1_TOKEN_2ed45968 --secret-add source=try1_TOKEN_93cf9e8e,target=TOKEN,mode=0400";
    CHECK(steps[1].find(rotate + " try1_web") != std::string::npos);
    CHECK(steps[2] == "mark secrets web");
    CHECK(steps[3].find(rotate + " try1_worker") != std::string::npos);
    CHECK(steps[4] == "mark secrets worker");
    CHECK(steps[5] == "prune secrets");
    CHECK(f.log.str().find("host1: removed Swarm secret try1_TOKEN_2ed45968\n") != std::string::npos);
    // The digest recorded is that of the values, as for plain docker.
    auto mark = exec::sequence_steps(f.runner.commands()[2].argv);
    CHECK(mark[1][4] == k_idir);
    CHECK(mark[1][6] == util::sha256_hex("TOKEN=s3cret-two\n"));
}

TEST_CASE("swarm::apply: failures") {
    SUBCASE("an update Swarm rolled back: the error says so, and nothing after it changes") {
        Fixture f(testing::swarm_capture("observed_converged.txt"), {{"GREETING", "hello"}});
        f.deployed();
        f.runner.on([](const auto& argv) { return script_with(argv, "count_tasks"); },
                    exec::Result{1, "", testing::swarm_capture("conv_rolled_back.txt"), ""});
        auto result = f.apply(f.plan());
        CHECK(error_of(result) ==
              "service \"web\": the update failed: task n90mpoye760s says \"task: non-zero exit (137): dockerexec: "
              "unhealthy container\"; Swarm rolled the update back: the previous spec serves again; it printed no "
              "log lines");
        CHECK(result.applied.empty());
        CHECK(f.steps().size() == 2);  // prepare and the update; no pruning
    }
    SUBCASE("a new service that does not converge is removed again, its dependents never start") {
        Fixture f(k_empty_swarm);
        f.options.secrets = {{"web", "TOKEN=x\n"}, {"worker", "TOKEN=x\n"}};
        f.runner.on([](const auto& argv) { return script_with(argv, "count_tasks"); },
                    exec::Result{1, "", "failed none 0/1 none\n@@swarm message\n\n", ""});
        auto result = f.apply(f.plan());
        CHECK(error_of(result) == "service \"web\": a task failed (0/1 tasks running)");
        auto steps = f.steps();
        REQUIRE(steps.size() == 4);
        CHECK(steps[1].rfind("converge try1_web: docker service create", 0) == 0);
        CHECK(steps[2] == "docker service rm try1_web");
        CHECK(steps[3] == "forget versions try1_web");
    }
    SUBCASE("a failed init: its output, and the new service removed") {
        Fixture f(k_empty_swarm);
        f.options.secrets = {{"web", "TOKEN=x\n"}, {"worker", "TOKEN=x\n"}};
        f.runner.on([](const auto& argv) { return script_with(argv, "count_tasks"); },
                    exec::Result{0, "", "converged none 1/1 none\n", ""});
        f.runner.on([](const auto& argv) { return script_with(argv, "docker service logs --raw"); },
                    exec::Result{1, "", "failed 1\ntask: non-zero exit (1)\nno /data\n", ""});
        auto result = f.apply(f.plan());
        CHECK(error_of(result) ==
              "service \"worker\": init command \"sh -c 'echo init ran on $(hostname); cat /run/secrets/TOKEN | wc "
              "-c; touch /data/init-done'\" failed (exit 1): \"task: non-zero exit (1)\"; its last output lines:\n"
              "no /data\n");
        CHECK(result.applied == std::set<std::string>{"web"});
        auto steps = f.steps();
        CHECK(std::vector<std::string>(steps.end() - 2, steps.end()) ==
              std::vector<std::string>{"docker service rm try1_worker", "forget versions try1_worker"});
    }
    SUBCASE("docker run options: refused before anything changes") {
        Fixture f(k_empty_swarm);
        f.deployment.services[0].options = {"--privileged"};
        f.options.secrets = {{"web", "TOKEN=x\n"}, {"worker", "TOKEN=x\n"}};
        auto result = f.apply(f.plan());
        CHECK(error_of(result) == "service \"web\" has \"options\" (--privileged), docker run flags that a Swarm "
                                  "service cannot take; remove them for a swarm instance");
        CHECK(f.runner.commands().empty());
    }
    SUBCASE("a new service whose secret has no value and no Swarm secret") {
        Fixture f(k_empty_swarm);
        auto result = f.apply(f.plan());
        CHECK(error_of(result) == "secret \"TOKEN\" of service \"web\" is not in the swarm: deploy the template "
                                  "with the secret set");
        CHECK(f.runner.commands().empty());
    }
}

TEST_CASE("swarm::apply: services changed by hand or not converged") {
    SUBCASE("changed by hand: the update restores the template's spec") {
        // Captured at revision 2, deployed with GREETING=hello.
        Fixture f(testing::swarm_capture("observed_by_hand.txt"), {{"GREETING", "hello"}});
        for (auto& service : f.deployment.services) {
            service.labels["io.calzion.revision"] = "2";
        }
        f.deployed();
        f.runner.on([](const auto& argv) { return script_with(argv, "count_tasks"); },
                    exec::Result{0, "", "converged completed 1/1 none\n", ""});
        plan::Plan plan = f.plan();
        CHECK(plan.find("web")->reason == "changed outside calzion (version 384, calzion left 382)");
        CHECK(f.apply(plan).ok());
        auto steps = f.steps();
        REQUIRE(steps.size() == 4);
        CHECK(steps[1] == "converge try1_web: docker service update --detach --no-resolve-image --env-rm BYHAND try1_web");
        // worker's own revision is 1: it takes that of the deploy.
        CHECK(steps[2] == "converge try1_worker: docker service update --detach --no-resolve-image --replicas 1 "
                          "--label-add io.calzion.revision=2 try1_worker");
    }
    SUBCASE("nothing differs: a forced rolling update") {
        Fixture f(testing::swarm_capture("observed_converged.txt"));
        f.deployed();
        f.plan_options.force = true;
        f.runner.on([](const auto& argv) { return script_with(argv, "count_tasks"); },
                    exec::Result{0, "", "converged completed 1/1 none\n", ""});
        CHECK(f.apply(f.plan()).ok());
        auto steps = f.steps();
        REQUIRE(steps.size() == 4);
        CHECK(steps[1] == "converge try1_web: docker service update --detach --force try1_web");
        CHECK(f.log.str().find("host1 web: forced rolling update (stop-first): forced\n") != std::string::npos);
    }
}

TEST_CASE("swarm::apply: a service no longer in the template, with --prune") {
    Fixture f(testing::swarm_capture("observed_converged.txt"));
    f.deployed();
    f.deployment.services.pop_back();  // worker
    f.plan_options.prune = true;
    auto result = f.apply(f.plan());
    CHECK(error_of(result) == "");
    CHECK(result.applied == std::set<std::string>{"worker"});
    CHECK(f.steps() == std::vector<std::string>{"docker service rm try1_worker", "forget versions try1_worker",
                                                "prune secrets"});
}

TEST_CASE("swarm::apply: more replicas than nodes for a port published in host mode") {
    Fixture f(k_empty_swarm);  // one node
    f.deployment.services[0].swarm = render::SwarmSpec{2, {}, "", ""};
    f.options.secrets = {{"web", "TOKEN=x\n"}, {"worker", "TOKEN=x\n"}};
    auto result = f.apply(f.plan());
    CHECK(error_of(result) == "service \"web\" wants 2 replicas and publishes port 18080 in host mode, which only one "
                              "task per node can have, and the swarm has 1 node: scale it to at most that, or publish "
                              "the port without a host port");
    CHECK(f.runner.commands().empty());
}
