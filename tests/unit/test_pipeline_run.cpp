// pipeline::run_job over fake hosts: the order of the steps, what a failure
// stops, and what the record says at the end. The host scripts themselves are
// tested in test_jobs_*.cpp and on real hosts by the e2e tests.

#include <doctest/doctest.h>

#include <algorithm>

#include "events/reporter.hpp"
#include "fake_runner.hpp"
#include "jobs/record.hpp"
#include "pipeline/run.hpp"

using namespace calzion;

namespace {

const std::string k_dir = "/srv/state/instances/shop/jobs/7";

tmpl::PipelineStep step(const std::string& name, std::vector<std::string> cmds) {
    tmpl::PipelineStep made;
    made.name = name;
    made.image = "local/busybox:1";
    made.cmds = std::move(cmds);
    return made;
}

pipeline::JobRequest request() {
    pipeline::JobRequest made;
    made.instance = "shop";
    made.source.repository = "/src/app";
    made.source.commit = {"0123456789abcdef0123456789abcdef01234567", "main", "/src/app", "add things"};
    made.pipeline.file = "calzion.yaml";
    made.pipeline.build = step("build", {"make"});
    made.pipeline.tasks = {step("lint", {"make lint"}), step("unit", {"make unit"})};
    made.pipeline.release = step("release", {"./release"});
    return made;
}

// A job host: begin answers with a job directory and a lock holder; each step
// script ends with the marker its exit code says.
struct Host {
    test::FakeRunner runner{"web1"};
    std::map<std::string, int> exits;  // by step; others exit 0
    std::vector<std::string> archived;  // what ran here to send the commit

    Host() {
        runner.on([](const auto& argv) { return is_script_with(argv, "calzion_lock \"$jdir/$n\""); },
                  {0, "", "@@calzion locked\n@@calzion dir\n" + k_dir + "\n@@calzion pid\n4242\n@@calzion end\n", ""});
        runner.on_call([](const auto& argv) { return step_of(argv) != ""; },
                       [this](const exec::Command& command) {
                           std::string name = step_of(command.argv);
                           int code = exits.count(name) ? exits.at(name) : 0;
                           std::string out = "$ " + name + " output\nline two of " + name + "\n";
                           return exec::Result{0, "", out + "@@calzion step yes " + std::to_string(code) + " no\n", ""};
                       });
    }

    static bool is_script_with(const std::vector<std::string>& argv, const std::string& text) {
        return argv.size() > 2 && argv[0] == "sh" && argv[2].find(text) != std::string::npos;
    }
    // The step a run_step script runs: its second argument, after the job's directory.
    static std::string step_of(const std::vector<std::string>& argv) {
        return is_script_with(argv, "docker start -a") && argv.size() > 5 ? argv[5] : "";
    }
    // The steps run, in order.
    std::vector<std::string> steps_run() const {
        std::vector<std::string> names;
        for (const auto& command : runner.commands()) {
            if (!step_of(command.argv).empty()) {
                names.push_back(step_of(command.argv));
            }
        }
        return names;
    }
    // The last record written.
    jobs::JobRecord last_record() const {
        std::string last;
        for (const auto& command : runner.commands()) {
            if (is_script_with(command.argv, "job.json") && !command.input.empty()) {
                last = command.input;
            }
        }
        return jobs::parse_record(last, "web1", "job.json");
    }
};

// Run the job on `host`, with `git archive` here answering `archive`.
pipeline::JobOutcome run(const pipeline::JobRequest& job, Host& host,
                         exec::Result archive = {0, "", "tar stream", ""}) {
    test::FakeRunner local("local");
    local.on_prefix({"git"}, std::move(archive));
    events::SilentReporter reporter;
    pipeline::JobOutcome outcome = pipeline::run_job(job, host.runner, local, reporter);
    host.archived = local.lines();
    return outcome;
}

}  // namespace

TEST_CASE("pipeline::run_job runs build and tasks, then the release, and records each step") {
    Host host;
    pipeline::JobOutcome outcome = run(request(), host);

    CHECK_FALSE(outcome.error);
    CHECK(outcome.host == "web1");
    auto steps = host.steps_run();
    REQUIRE(steps.size() == 4);
    CHECK(steps.back() == "release");
    CHECK(std::is_permutation(steps.begin(), steps.end() - 1, std::vector<std::string>{"build", "lint", "unit"}.begin()));
    // The commit went to the host as `git archive` of the resolved id, never of the branch.
    REQUIRE(host.archived.size() == 1);
    CHECK(host.archived[0] == "git -C /src/app archive --format=tar 0123456789abcdef0123456789abcdef01234567");

    jobs::JobRecord record = host.last_record();
    CHECK(record.id == "shop.7");
    CHECK(record.state == jobs::JobState::succeeded);
    CHECK(record.worker.host == "web1");
    CHECK(record.worker.pid == 4242);
    CHECK(record.commit.sha == "0123456789abcdef0123456789abcdef01234567");
    REQUIRE(record.steps.size() == 4);
    for (const auto& entry : record.steps) {
        CHECK(entry.state == jobs::StepState::succeeded);
        CHECK(entry.exit_code == 0);
        CHECK(entry.log == "logs/" + entry.name + ".log");
        CHECK_FALSE(entry.started.empty());
        CHECK_FALSE(entry.finished.empty());
    }
    CHECK(record.steps[0].kind == "build");
    CHECK(record.steps[1].kind == "task");
    CHECK(record.steps[3].kind == "release");
    CHECK(outcome.record.state == jobs::JobState::succeeded);
}

TEST_CASE("pipeline::run_job: a failing task fails the job and the release never runs") {
    Host host;
    host.exits["unit"] = 3;
    pipeline::JobOutcome outcome = run(request(), host);

    auto steps = host.steps_run();
    CHECK(std::find(steps.begin(), steps.end(), "release") == steps.end());
    REQUIRE(outcome.error);
    CHECK(outcome.error->kind() == ErrorKind::operation_failed);
    CHECK(outcome.error->message() ==
          "job \"shop.7\": step \"unit\" failed with exit status 3; its last log lines:\n"
          "  $ unit output\n"
          "  line two of unit");
    jobs::JobRecord record = host.last_record();
    CHECK(record.state == jobs::JobState::failed);
    CHECK(record.step("unit")->state == jobs::StepState::failed);
    CHECK(record.step("unit")->exit_code == 3);
    CHECK(record.step("release")->state == jobs::StepState::skipped);
    CHECK(record.message == "step \"unit\" failed with exit status 3");
}

TEST_CASE("pipeline::run_job: with one step at a time, a failed build starts no task") {
    Host host;
    host.exits["build"] = 2;
    pipeline::JobRequest one_at_a_time = request();
    one_at_a_time.pipeline.parallel = 1;
    pipeline::JobOutcome outcome = run(one_at_a_time, host);

    CHECK(host.steps_run() == std::vector<std::string>{"build"});
    jobs::JobRecord record = host.last_record();
    CHECK(record.state == jobs::JobState::failed);
    CHECK(record.step("lint")->state == jobs::StepState::skipped);
    CHECK(record.step("unit")->state == jobs::StepState::skipped);
    CHECK(record.step("release")->state == jobs::StepState::skipped);
}

TEST_CASE("pipeline::run_job: a commit that cannot be sent ends the job in error, with no step run") {
    Host host;
    pipeline::JobOutcome outcome = run(request(), host, {128, "", "", "fatal: not a tree object\n"});

    CHECK(host.steps_run().empty());
    REQUIRE(outcome.error);
    CHECK(outcome.error->message() ==
          "job \"shop.7\": cannot send commit 0123456789ab to the job: fatal: not a tree object");
    jobs::JobRecord record = host.last_record();
    CHECK(record.state == jobs::JobState::error);
    for (const auto& entry : record.steps) {
        CHECK(entry.state == jobs::StepState::error);
    }
}

TEST_CASE("pipeline::run_job: an earlier job whose calzion died is recorded error before this one begins") {
    Host host;
    jobs::JobRecord earlier;
    earlier.id = "shop.6";
    earlier.instance = "shop";
    earlier.number = 6;
    earlier.state = jobs::JobState::running;
    earlier.worker.host = "web1";
    earlier.worker.pid = 999;
    host.runner.on([](const auto& argv) { return Host::is_script_with(argv, "echo \"@@calzion job $inst $n\""); },
                   {0, "", "@@calzion job shop 6\n/srv/state/instances/shop/jobs/6\n0\n" +
                               jobs::record_to_json(earlier) + "\n", ""});
    run(request(), host);

    auto commands = host.runner.commands();
    auto settled = std::find_if(commands.begin(), commands.end(), [](const exec::Command& command) {
        return command.input.find("\"id\":\"shop.6\"") != std::string::npos;
    });
    auto begun = std::find_if(commands.begin(), commands.end(), [](const exec::Command& command) {
        return Host::is_script_with(command.argv, "calzion_lock \"$jdir/$n\"");
    });
    REQUIRE(settled != commands.end());
    REQUIRE(begun != commands.end());
    CHECK(settled < begun);
    jobs::JobRecord record = jobs::parse_record(settled->input, "web1", "job.json");
    CHECK(record.state == jobs::JobState::error);
    CHECK(record.message == "its worker is gone (pid 999 on web1)");
}

TEST_CASE("pipeline::run_job: a newer queued job makes the release needless: the job is superseded") {
    Host host;
    pipeline::JobRequest coalesced = request();
    int asked = 0;
    coalesced.superseded_by = [&asked] {
        ++asked;
        return std::string("shop.9");
    };
    pipeline::JobOutcome outcome = run(coalesced, host);

    CHECK(asked == 1);
    CHECK_FALSE(outcome.error);
    auto steps = host.steps_run();
    CHECK(std::find(steps.begin(), steps.end(), "release") == steps.end());
    CHECK(steps.size() == 3);
    jobs::JobRecord record = host.last_record();
    CHECK(record.state == jobs::JobState::superseded);
    CHECK(record.superseded_by == "shop.9");
    CHECK(record.step("build")->state == jobs::StepState::succeeded);
    CHECK(record.step("release")->state == jobs::StepState::skipped);
    CHECK(record.step("release")->message == "superseded by job shop.9");
}

TEST_CASE("pipeline::run_job: a failed job is never asked whether it is superseded") {
    Host host;
    host.exits["lint"] = 1;
    pipeline::JobRequest coalesced = request();
    bool asked = false;
    coalesced.superseded_by = [&asked] {
        asked = true;
        return std::string("shop.9");
    };
    run(coalesced, host);
    CHECK_FALSE(asked);
    CHECK(host.last_record().state == jobs::JobState::failed);
    CHECK(host.last_record().superseded_by.empty());
}
