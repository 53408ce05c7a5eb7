// pipeline/notify: what the notify command is told of each change, and how
// it is run (for real, with sh through the local runner).

#include <doctest/doctest.h>

#include "recording_reporter.hpp"

#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <unistd.h>

#include "events/reporter.hpp"
#include "exec/local_runner.hpp"
#include "fake_runner.hpp"
#include "pipeline/notify.hpp"
#include "util/error.hpp"

using namespace calzion;

namespace {

const std::string k_sha = "1a2b3c4d5e6f0123456789abcdef0123456789ab";

jobs::StepRecord step(const std::string& name, const std::string& kind, jobs::StepState state) {
    jobs::StepRecord made;
    made.name = name;
    made.kind = kind;
    made.image = "local/busybox:1";
    made.state = state;
    made.log = "logs/" + name + ".log";
    return made;
}

jobs::JobRecord record() {
    jobs::JobRecord made;
    made.id = "shop.3";
    made.instance = "shop";
    made.number = 3;
    made.state = jobs::JobState::running;
    made.commit = {k_sha, "main", "git@example.com:acme/shop.git", "add things"};
    made.steps = {step("build", "build", jobs::StepState::succeeded), step("lint", "task", jobs::StepState::running),
                  step("release", "release", jobs::StepState::pending)};
    made.steps[0].exit_code = 0;
    return made;
}

using test::RecordingReporter;

std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// A fresh directory for the files a notify command writes.
struct TempDir {
    std::filesystem::path path = std::filesystem::temp_directory_path() /
                                 ("calzion-notify-test-" + std::to_string(getpid()));
    TempDir() { std::filesystem::create_directories(path); }
    ~TempDir() { std::filesystem::remove_all(path); }
};

}  // namespace

TEST_CASE("pipeline::notify_environment") {
    SUBCASE("a step that failed") {
        jobs::JobRecord failed = record();
        failed.step("lint")->state = jobs::StepState::failed;
        failed.step("lint")->exit_code = 3;
        auto env = pipeline::notify_environment({failed, "web1", "lint", "running"});
        std::map<std::string, std::string> expected = {
            {"CALZION_JOB_ID", "shop.3"},
            {"CALZION_JOB_STATE", "running"},
            {"CALZION_JOB_PREV_STATE", ""},
            {"CALZION_STEP", "lint"},
            {"CALZION_STEP_STATE", "failed"},
            {"CALZION_STEP_EXIT_CODE", "3"},
            {"CALZION_COMMIT_SHA", k_sha},
            {"CALZION_COMMIT_REF", "main"},
            {"CALZION_REPO", "git@example.com:acme/shop.git"},
            {"CALZION_INSTANCE", "shop"},
            {"CALZION_HOST", "web1"},
            {"CALZION_CONTEXT", "calzion/shop/lint"},
            {"CALZION_DESCRIPTION", "lint failed with exit status 3"},
            {"CALZION_GITHUB_STATE", "failure"},
            {"CALZION_GITLAB_STATE", "failed"},
        };
        CHECK(env == expected);
    }
    SUBCASE("the job that began running") {
        auto env = pipeline::notify_environment({record(), "web1", "", "queued"});
        std::map<std::string, std::string> expected = {
            {"CALZION_JOB_ID", "shop.3"},
            {"CALZION_JOB_STATE", "running"},
            {"CALZION_JOB_PREV_STATE", "queued"},
            {"CALZION_STEP", ""},
            {"CALZION_STEP_STATE", ""},
            {"CALZION_STEP_EXIT_CODE", ""},
            {"CALZION_COMMIT_SHA", k_sha},
            {"CALZION_COMMIT_REF", "main"},
            {"CALZION_REPO", "git@example.com:acme/shop.git"},
            {"CALZION_INSTANCE", "shop"},
            {"CALZION_HOST", "web1"},
            {"CALZION_CONTEXT", "calzion/shop"},
            {"CALZION_DESCRIPTION", "job shop.3 running at 1a2b3c4d5e6f"},
            {"CALZION_GITHUB_STATE", "pending"},
            {"CALZION_GITLAB_STATE", "running"},
        };
        CHECK(env == expected);
    }
    SUBCASE("descriptions") {
        jobs::JobRecord job = record();
        CHECK(pipeline::notify_environment({job, "web1", "build", "running"}).at("CALZION_DESCRIPTION") ==
              "build succeeded");
        CHECK(pipeline::notify_environment({job, "web1", "release", ""}).at("CALZION_DESCRIPTION") ==
              "release pending");
        job.step("release")->state = jobs::StepState::error;
        job.step("release")->message = "the deploy failed:\nweb: docker run failed";
        CHECK(pipeline::notify_environment({job, "web1", "release", "running"}).at("CALZION_DESCRIPTION") ==
              "release error: the deploy failed: web: docker run failed");
        job.state = jobs::JobState::failed;
        job.message = "lint failed";
        CHECK(pipeline::notify_environment({job, "web1", "", "running"}).at("CALZION_DESCRIPTION") ==
              "job shop.3 failed at 1a2b3c4d5e6f: lint failed");
    }
    SUBCASE("the description is cut at 140 characters, never inside one") {
        jobs::JobRecord job = record();
        job.state = jobs::JobState::error;
        // "job shop.3 error at 1a2b3c4d5e6f: " is 34 characters; then 2-byte ones.
        job.message = std::string(100, 'x') + "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9";
        std::string prefix = "job shop.3 error at 1a2b3c4d5e6f: ";
        REQUIRE(prefix.size() == 34);
        // 144 characters: 139 kept, then "…".
        std::string expected = prefix + std::string(100, 'x') + "\u00e9\u00e9\u00e9\u00e9\u00e9\u2026";
        CHECK(pipeline::notify_environment({job, "web1", "", "running"}).at("CALZION_DESCRIPTION") == expected);
        job.message = std::string(100, 'x') + "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9";  // 140: kept whole
        CHECK(pipeline::notify_environment({job, "web1", "", "running"}).at("CALZION_DESCRIPTION") ==
              prefix + job.message);
    }
    SUBCASE("states for GitHub and GitLab") {
        struct Case {
            jobs::StepState state;
            std::string github, gitlab;
        };
        for (const auto& [state, github, gitlab] : std::vector<Case>{
                 {jobs::StepState::pending, "pending", "pending"},
                 {jobs::StepState::running, "pending", "running"},
                 {jobs::StepState::succeeded, "success", "success"},
                 {jobs::StepState::failed, "failure", "failed"},
                 {jobs::StepState::error, "error", "failed"},
                 {jobs::StepState::canceled, "error", "canceled"},
                 {jobs::StepState::skipped, "error", "canceled"},
             }) {
            jobs::JobRecord job = record();
            job.step("release")->state = state;
            auto env = pipeline::notify_environment({job, "web1", "release", ""});
            CHECK(env.at("CALZION_GITHUB_STATE") == github);
            CHECK(env.at("CALZION_GITLAB_STATE") == gitlab);
        }
        struct JobCase {
            jobs::JobState state;
            std::string github, gitlab;
        };
        for (const auto& [state, github, gitlab] : std::vector<JobCase>{
                 {jobs::JobState::queued, "pending", "pending"},
                 {jobs::JobState::running, "pending", "running"},
                 {jobs::JobState::succeeded, "success", "success"},
                 {jobs::JobState::failed, "failure", "failed"},
                 {jobs::JobState::error, "error", "failed"},
                 {jobs::JobState::canceled, "error", "canceled"},
             }) {
            jobs::JobRecord job = record();
            job.state = state;
            auto env = pipeline::notify_environment({job, "web1", "", ""});
            CHECK(env.at("CALZION_GITHUB_STATE") == github);
            CHECK(env.at("CALZION_GITLAB_STATE") == gitlab);
        }
    }
}

TEST_CASE("pipeline::changes_between") {
    jobs::JobRecord before = record();
    jobs::JobRecord after = before;
    CHECK(pipeline::changes_between(before, after, "web1").empty());
    after.step("lint")->state = jobs::StepState::failed;
    after.step("release")->state = jobs::StepState::skipped;
    after.state = jobs::JobState::failed;
    std::vector<std::string> seen;
    for (const auto& change : pipeline::changes_between(before, after, "web1")) {
        CHECK(change.host == "web1");
        CHECK(change.record.state == jobs::JobState::failed);
        seen.push_back((change.step.empty() ? "job" : change.step) + ":" + change.prev_state);
    }
    CHECK(seen == std::vector<std::string>{"lint:running", "release:pending", "job:running"});
}

TEST_CASE("pipeline::CommandNotifier") {
    TempDir dir;
    exec::LocalRunner local;
    RecordingReporter reporter;
    jobs::JobRecord job = record();
    pipeline::Change change{job, "web1", "lint", "pending"};

    SUBCASE("a shell line gets the record on stdin and the environment") {
        std::string input = (dir.path / "input").string();
        std::string env = (dir.path / "env").string();
        pipeline::CommandNotifier notifier(local, {{"cat > '" + input + "'; env > '" + env + "'"}}, reporter);
        notifier.notify(change);
        CHECK(reporter.lines.empty());
        CHECK(read_text(input) == jobs::record_to_json(job) + "\n");
        std::string seen = read_text(env);
        for (const auto& [name, value] : pipeline::notify_environment(change)) {
            CHECK(seen.find("\n" + name + "=" + value + "\n") != std::string::npos);
        }
        // The user's own environment is inherited.
        CHECK(seen.find("\nPATH=") != std::string::npos);
    }
    SUBCASE("an argv runs without a shell") {
        std::string out = (dir.path / "argv").string();
        pipeline::CommandNotifier notifier(
            local, {{"sh", "-c", "printf '%s|' \"$@\" > \"$0\"", out, "$CALZION_STEP", "a b"}}, reporter);
        notifier.notify(change);
        CHECK(reporter.lines.empty());
        CHECK(read_text(out) == "$CALZION_STEP|a b|");
    }
    SUBCASE("the exact command run") {
        test::FakeRunner fake("local");
        pipeline::CommandNotifier notifier(fake, {{"post-status"}, std::chrono::seconds(7)}, reporter);
        notifier.notify(change);
        REQUIRE(fake.commands().size() == 1);
        const exec::Command ran = fake.commands().front();
        std::vector<std::string> expected = {"env"};
        for (const auto& [name, value] : pipeline::notify_environment(change)) {
            expected.push_back(name + "=" + value);
        }
        expected.insert(expected.end(), {"sh", "-c", "post-status"});
        CHECK(ran.argv == expected);
        CHECK(ran.input == jobs::record_to_json(job) + "\n");
        CHECK(ran.timeout == std::chrono::milliseconds(7000));
    }
    SUBCASE("a failing command is a note, never an exception") {
        pipeline::CommandNotifier notifier(local, {{"cat >/dev/null; echo 'no token' >&2; exit 3"}}, reporter);
        CHECK_NOTHROW(notifier.notify(change));
        CHECK(reporter.lines == std::vector<std::string>{"web1 lint: notify failed: exit status 3: no token"});
    }
    SUBCASE("a job's change names no step") {
        pipeline::CommandNotifier notifier(local, {{"exit 4"}}, reporter);
        notifier.notify({job, "web1", "", "queued"});
        CHECK(reporter.lines == std::vector<std::string>{"web1: notify failed: exit status 4"});
    }
    SUBCASE("a command that is killed") {
        pipeline::CommandNotifier notifier(local, {{"kill -KILL $$"}}, reporter);
        notifier.notify(change);
        CHECK(reporter.lines == std::vector<std::string>{"web1 lint: notify failed: killed by SIGKILL"});
    }
    SUBCASE("a command that outlives its timeout") {
        pipeline::CommandNotifier notifier(local, {{"sleep 10"}, std::chrono::seconds(1)}, reporter);
        CHECK_NOTHROW(notifier.notify(change));
        CHECK(reporter.lines == std::vector<std::string>{"web1 lint: notify failed: timed out after 1 s"});
    }
    SUBCASE("a command that cannot be found") {
        pipeline::CommandNotifier notifier(local, {{"/nonexistent/notify", "x"}}, reporter);
        notifier.notify(change);
        REQUIRE(reporter.lines.size() == 1);
        CHECK(reporter.lines.front().rfind("web1 lint: notify failed: exit status 127: ", 0) == 0);
    }
    SUBCASE("a runner that throws") {
        test::FakeRunner fake("local");
        fake.raise_on([](const auto&) { return true; },
                      [] { throw Error(ErrorKind::operation_failed, "the machine is on fire\nreally"); });
        pipeline::CommandNotifier notifier(fake, {{"post-status"}}, reporter);
        CHECK_NOTHROW(notifier.notify(change));
        CHECK(reporter.lines == std::vector<std::string>{"web1 lint: notify failed: the machine is on fire; really"});
    }
}
