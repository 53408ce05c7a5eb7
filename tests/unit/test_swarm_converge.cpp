#include <doctest/doctest.h>


#include "swarm/converge.hpp"
#include "swarm/init_job.hpp"
#include "swarm_captures.hpp"

using namespace calzion;

namespace {

}  // namespace

TEST_CASE("swarm::converge_argv") {
    std::vector<std::string> change = {"docker", "service", "update", "--env-add", "X=$(rm -rf /)\n'", "shop_web"};
    auto argv = swarm::converge_argv("/var/lib/calzion/instances/shop", "shop_web", change, 90);
    REQUIRE(argv.size() == 4 + 5 + change.size());
    CHECK(argv[0] == "sh");
    CHECK(argv[1] == "-c");
    CHECK(argv[3] == "calzion");
    // Every value an argument: the instance directory, the service, the
    // timeout, log lines, the seconds a task may stay stuck, then the change.
    CHECK(std::vector<std::string>(argv.begin() + 4, argv.begin() + 9) ==
          std::vector<std::string>{"/var/lib/calzion/instances/shop", "shop_web", "90", "20", "10"});
    CHECK(std::vector<std::string>(argv.begin() + 9, argv.end()) == change);
    CHECK(argv[2].find("shop_web") == std::string::npos);
    CHECK(argv[2].find("docker service rollback --detach \"$svc\"") != std::string::npos);
}

TEST_CASE("swarm::parse_converge and failure_text on a real manager's answers") {
    SUBCASE("converged") {
        auto outcome = swarm::parse_converge(testing::swarm_capture("conv_converged.txt"));
        CHECK(outcome.verdict == "converged");
        CHECK(outcome.update_state == "completed");
        CHECK(outcome.running == 1);
        CHECK(outcome.wanted == 1);
        CHECK(outcome.cause.empty());
    }
    SUBCASE("a failing health check, rolled back by Swarm") {
        auto outcome = swarm::parse_converge(testing::swarm_capture("conv_rolled_back.txt"));
        CHECK(outcome.verdict == "rolled_back");
        CHECK(outcome.update_state == "rollback_completed");
        CHECK(outcome.message == "rollback completed");
        CHECK(outcome.task == "n90mpoye760sllzal0pfyg8z5");
        CHECK(outcome.task_error == "task: non-zero exit (137): dockerexec: unhealthy container");
        CHECK(outcome.had_container);
        CHECK(swarm::failure_text(outcome, 120) ==
              "the update failed: task n90mpoye760s says \"task: non-zero exit (137): dockerexec: unhealthy "
              "container\"; Swarm rolled the update back: the previous spec serves again; it printed no log lines");
    }
    SUBCASE("a task that cannot be scheduled") {
        auto outcome = swarm::parse_converge(testing::swarm_capture("conv_stuck.txt"));
        CHECK(outcome.verdict == "stuck");
        CHECK(outcome.running == 1);
        CHECK(outcome.wanted == 2);
        CHECK_FALSE(outcome.had_container);
        CHECK(swarm::failure_text(outcome, 120) ==
              "a task cannot be scheduled (1/2 tasks running): task w0ztgj4v4jwz says \"no suitable node (host-mode "
              "port already in use on 1 node)\"");
    }
}

TEST_CASE("swarm::failure_text") {
    swarm::ConvergeOutcome outcome;
    outcome.update_state = "rollback_completed";
    outcome.running = 2;
    outcome.wanted = 3;
    outcome.task = "abcdefghijklmnopqrstuvwxy";
    outcome.task_error = "task: non-zero exit (1)";
    outcome.had_container = true;
    outcome.health = "curl: (7) refused";
    outcome.logs = "booting\npanic: no config\n";

    SUBCASE("out of time in an update: calzion asked for the rollback") {
        outcome.verdict = "rolled_back";
        outcome.cause = "timeout";
        CHECK(swarm::failure_text(outcome, 90) ==
              "not converged after 90s (2/3 tasks running): task abcdefghijkl says \"task: non-zero exit (1)\"; "
              "calzion rolled the update back: the previous spec serves again; its last health check printed "
              "\"curl: (7) refused\"; its last log lines:\nbooting\npanic: no config\n");
    }
    SUBCASE("a rollback that did not finish") {
        outcome.verdict = "timeout";
        outcome.cause = "stuck";
        outcome.update_state = "rollback_started";
        outcome.health.clear();
        outcome.logs.clear();
        CHECK(swarm::failure_text(outcome, 90) ==
              "a task cannot be scheduled (2/3 tasks running): task abcdefghijkl says \"task: non-zero exit (1)\"; "
              "calzion asked Swarm to roll the update back, which has not finished (rollback_started); it printed "
              "no log lines");
    }
    SUBCASE("a new service's task failed") {
        outcome = {};
        outcome.verdict = "failed";
        outcome.update_state = "none";
        outcome.wanted = 1;
        CHECK(swarm::failure_text(outcome, 90) == "a task failed (0/1 tasks running)");
    }
    SUBCASE("docker refused the change") {
        outcome.verdict = "change_failed";
        outcome.message = "Error response from daemon: rpc error: name conflicts\nwith an existing object";
        CHECK(swarm::failure_text(outcome, 90) ==
              "docker refused the change: Error response from daemon: rpc error: name conflicts; with an existing object");
    }
    SUBCASE("paused") {
        outcome.verdict = "paused";
        outcome.update_state = "paused";
        outcome.message = "update paused due to failure";
        outcome.task.clear();
        outcome.health.clear();
        CHECK(swarm::failure_text(outcome, 90) == "Swarm paused the update (update paused due to failure)");
    }
}

TEST_CASE("swarm init jobs") {
    swarm::ServiceSpec spec;
    spec.name = "shop_web";
    spec.image = "app:1";
    spec.container_labels = {{"io.calzion.service", "web"}, {"io.calzion.task", "abc"}};
    spec.env = {{"TOKEN_FILE", "/run/secrets/TOKEN"}};
    spec.network = "cz-shop";
    spec.aliases = {"web"};
    spec.endpoint_mode = "dnsrr";
    spec.ports = {{8080, 80, "tcp", "host"}};
    spec.mounts = {{"volume", "cz_shop_data", "/data", false, {}}};
    spec.secrets = {{"shop_TOKEN_12345678", "TOKEN"}};
    spec.health = {{"CMD-SHELL", "true"}, 0, 0, 0, 0};
    spec.entrypoint = {"/entry"};
    spec.args = {"serve"};
    spec.user = "app";
    CHECK(swarm::init_job_name("shop_web") == "shop_web_init");
    CHECK(swarm::init_job_argv(spec, "shop", {"migrate", "--to", "$(latest)"}) ==
          std::vector<std::string>{
              "docker", "service", "create", "--detach", "--no-resolve-image", "--mode", "replicated-job", "--name",
              "shop_web_init", "--label", "io.calzion.init-of=shop", "--container-label", "io.calzion.init-of=shop",
              "--network", "name=cz-shop", "--endpoint-mode", "dnsrr", "--env", "TOKEN_FILE=/run/secrets/TOKEN",
              "--mount", "type=volume,source=cz_shop_data,target=/data", "--secret",
              "source=shop_TOKEN_12345678,target=TOKEN,mode=0400", "--restart-condition", "none", "--user", "app",
              "--entrypoint", "sh", "--no-healthcheck", "app:1", "-c", "exec \"$@\" 2>&1", "calzion-init", "migrate",
              "--to", "$(latest)"});

    auto run = swarm::run_job_argv("shop_web_init", {"docker", "service", "create", "x"}, 60);
    CHECK(std::vector<std::string>(run.begin() + 3, run.end()) ==
          std::vector<std::string>{"calzion", "shop_web_init", "60", "20", "docker", "service", "create", "x"});

    auto failed = swarm::parse_job("failed 3\ntask: non-zero exit (3)\nmigrating\nno database\n");
    CHECK(failed.verdict == "failed");
    CHECK(failed.exit_code == "3");
    CHECK(failed.error == "task: non-zero exit (3)");
    CHECK(failed.output == "migrating\nno database\n");
    auto done = swarm::parse_job("complete 0\n\n");
    CHECK(done.verdict == "complete");
    CHECK(done.output.empty());
    auto refused = swarm::parse_job("refused none\nno such image \n");
    CHECK(refused.exit_code == "none");
    CHECK(refused.error == "no such image ");
}

TEST_CASE("swarm::failure_text: rolled back, but the previous spec does not run") {
    swarm::ConvergeOutcome outcome;
    outcome.verdict = "timeout";
    outcome.update_state = "rollback_completed";
    outcome.running = 0;
    outcome.wanted = 1;
    CHECK(swarm::failure_text(outcome, 30) ==
          "not converged after 30s (0/1 tasks running); Swarm rolled the update back, but the previous spec does not "
          "run either (0/1 tasks running)");
}
