// How a step runs on the job's host: the container's argv, the one host script
// (its arguments and input through a recording runner, then run for real by sh
// with a stand-in `docker` on PATH), and how its output is read.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include "exec/local_runner.hpp"
#include "exec/script_status.hpp"
#include "fake_runner.hpp"
#include "jobs/entrypoint.hpp"
#include "jobs/step.hpp"
#include "jobs/step_output.hpp"
#include "state_dir.hpp"

using namespace calzion;
using namespace calzion::jobs;

namespace {

const std::string k_dir = "/var/lib/calzion/instances/shop/jobs/12";

JobRecord job_12() {
    JobRecord job;
    job.id = "shop.12";
    job.instance = "shop";
    job.number = 12;
    job.commit = {"0123456789abcdef0123456789abcdef01234567", "main", "/src/shop", "Fix"};
    return job;
}

tmpl::PipelineStep step_named(const std::string& name, const std::string& image) {
    tmpl::PipelineStep step;
    step.name = name;
    step.image = image;
    return step;
}

const std::vector<std::string> k_labels = {"--label", "io.calzion.job=shop.12", "--label",
                                           "io.calzion.job.instance=shop"};

std::vector<std::string> joined(std::vector<std::vector<std::string>> parts) {
    std::vector<std::string> out;
    for (auto& part : parts) {
        out.insert(out.end(), part.begin(), part.end());
    }
    return out;
}

struct Collected {
    std::vector<std::string> chunks;
    std::function<void(std::string_view)> sink() {
        return [this](std::string_view chunk) { chunks.emplace_back(chunk); };
    }
};

}  // namespace

TEST_CASE("jobs::container_name") {
    CHECK(container_name(job_12(), "build") == "calzion-job-shop-12-build");
    CHECK(container_name(job_12(), "unit-tests") == "calzion-job-shop-12-unit-tests");
}

TEST_CASE("jobs::create_argv") {
    JobRecord job = job_12();
    const std::vector<std::string> common_env = {
        "--env", "CI=true", "--env", "CALZION_JOB_ID=shop.12", "--env",
        "CALZION_COMMIT_SHA=0123456789abcdef0123456789abcdef01234567", "--env", "CALZION_COMMIT_REF=main"};

    SUBCASE("build: a script, the checkout and the artifacts read-write, user env sorted first") {
        tmpl::PipelineStep step = step_named("build", "local/builder:1");
        step.env = {{"ZED", "last word"}, {"GOFLAGS", "-mod=vendor"}, {"CI", "no"}, {"BUILD_DIR", "/elsewhere"}};
        step.cmds = {"make"};
        CHECK(create_argv({step, "build", k_dir, &job}) ==
              joined({{"docker", "create", "--pull=missing", "--name", "calzion-job-shop-12-build"},
                      k_labels,
                      {"--label", "io.calzion.job.step=build"},
                      {"--env", "GOFLAGS=-mod=vendor", "--env", "ZED=last word"},
                      common_env,
                      {"--env", "CALZION_STEP=build", "--env", "BUILD_DIR=/calzion/build", "--env",
                       "ARTIFACTS_DIR=/calzion/artifacts"},
                      {"--mount", "type=bind,source=" + k_dir + "/work/build,target=/calzion/build", "--mount",
                       "type=bind,source=" + k_dir + "/artifacts,target=/calzion/artifacts", "--mount",
                       "type=bind,source=" + k_dir + "/steps/build.sh,target=/calzion/step.sh,readonly"},
                      {"--workdir", "/calzion/build", "--entrypoint", "/bin/sh", "local/builder:1",
                       "/calzion/step.sh"}}));
    }

    SUBCASE("task: a cmd argv runs without a shell; no artifacts; the docker socket on request") {
        tmpl::PipelineStep step = step_named("lint", "local/lint:1");
        step.cmd = std::vector<std::string>{"golint", "-set_exit_status", "./..."};
        step.docker_socket = true;
        CHECK(create_argv({step, "task", k_dir, &job}) ==
              joined({{"docker", "create", "--pull=missing", "--name", "calzion-job-shop-12-lint"},
                      k_labels,
                      {"--label", "io.calzion.job.step=lint"},
                      common_env,
                      {"--env", "CALZION_STEP=lint", "--env", "BUILD_DIR=/calzion/build"},
                      {"--mount", "type=bind,source=" + k_dir + "/work/lint,target=/calzion/build", "--mount",
                       "type=bind,source=/var/run/docker.sock,target=/var/run/docker.sock"},
                      {"--workdir", "/calzion/build", "--entrypoint", "golint", "local/lint:1",
                       "-set_exit_status", "./..."}}));
    }

    SUBCASE("release: the image's own command, the artifacts read-only, never the source") {
        tmpl::PipelineStep step = step_named("release", "local/releaser:1");
        step.env = {{"CHANNEL", "stable"}};
        CHECK(create_argv({step, "release", k_dir, &job}) ==
              joined({{"docker", "create", "--pull=missing", "--name", "calzion-job-shop-12-release"},
                      k_labels,
                      {"--label", "io.calzion.job.step=release"},
                      {"--env", "CHANNEL=stable"},
                      common_env,
                      {"--env", "CALZION_STEP=release", "--env", "ARTIFACTS_DIR=/calzion/artifacts"},
                      {"--mount", "type=bind,source=" + k_dir + "/artifacts,target=/calzion/artifacts,readonly"},
                      {"--workdir", "/calzion/artifacts", "local/releaser:1"}}));
    }

    SUBCASE("a one-word cmd") {
        tmpl::PipelineStep step = step_named("unit", "local/builder:1");
        step.cmd = std::vector<std::string>{"true"};
        auto argv = create_argv({step, "task", k_dir, &job});
        CHECK(std::vector<std::string>(argv.end() - 5, argv.end()) ==
              std::vector<std::string>{"--workdir", "/calzion/build", "--entrypoint", "true", "local/builder:1"});
    }
}

TEST_CASE("jobs::StepOutput") {
    Collected collected;
    StepOutput output(collected.sink());

    SUBCASE("whole lines pass on as they arrive; the marker is held back and read") {
        output.add("li");
        CHECK(collected.chunks.empty());
        output.add("ne1\nline");
        output.add("2\n@@calzion st");
        output.add("ep yes 3 no\n");
        output.finish();
        CHECK(collected.chunks == std::vector<std::string>{"line1\n", "line2\n"});
        StepEnd end = output.end(exec::Result{0, "", "", ""});
        CHECK(end.started);
        CHECK(end.exit_code == 3);
        CHECK_FALSE(end.canceled);
        CHECK(end.message.empty());
    }

    SUBCASE("a step's own marker-like line passes on: only the last one is the script's") {
        output.add("@@calzion step yes 0 no\nbuilding\n@@calzion step no - yes\n");
        output.finish();
        CHECK(collected.chunks == std::vector<std::string>{"@@calzion step yes 0 no\nbuilding\n"});
        StepEnd end = output.end(exec::Result{0, "", "", ""});
        CHECK_FALSE(end.started);
        CHECK_FALSE(end.exit_code.has_value());
        CHECK(end.canceled);
        CHECK(end.message.empty());
    }

    SUBCASE("an unfinished last line passes on at the end") {
        output.add("a\nno newline");
        output.finish();
        CHECK(collected.chunks == std::vector<std::string>{"a\n", "no newline"});
        CHECK_FALSE(output.end(exec::Result{1, "", "", ""}).started);
    }

    SUBCASE("a container that could not be created: docker's last line says why") {
        output.add("Error response from daemon: No such image: local/nope:1  \r\n\n@@calzion step no - no\n");
        output.finish();
        StepEnd end = output.end(exec::Result{0, "", "", ""});
        CHECK_FALSE(end.started);
        CHECK(end.message == "the container could not be created: Error response from daemon: No such image: "
                             "local/nope:1");
    }

    SUBCASE("without a marker, the step could not be prepared") {
        output.add("calzion: cannot check the source out into /j/work/build\n");
        output.finish();
        StepEnd end = output.end(exec::Result{1, "", "", ""});
        CHECK_FALSE(end.started);
        CHECK(end.message == "the step could not be prepared: calzion: cannot check the source out into /j/work/build");

        StepOutput silent(collected.sink());
        CHECK(silent.end(exec::Result{-1, "KILL", "", ""}).message ==
              "the step could not be prepared (its script ended with exit status -1, signal KILL)");
    }

    SUBCASE("started without an exit code; a malformed marker is no marker") {
        output.add("@@calzion step yes - no\n");
        CHECK(output.end(exec::Result{0, "", "", ""}).message == "its exit status could not be read");
        StepOutput bad(collected.sink());
        bad.add("@@calzion step yes 1x no\n");
        CHECK(bad.end(exec::Result{0, "", "", ""}).message == "the step could not be prepared (its script ended "
                                                               "with exit status 0)");
    }
}

TEST_CASE("jobs::run_step through a recording runner") {
    JobRecord job = job_12();
    tmpl::PipelineStep step = step_named("build", "local/builder:1");
    step.cmds = {"make", "cp dist/* \"$ARTIFACTS_DIR\""};
    StepSpec spec{step, "build", k_dir, &job};

    test::FakeRunner runner("web1");
    runner.on_call([](const std::vector<std::string>& argv) { return argv.size() > 2 && argv[0] == "sh"; },
                   [](const exec::Command& command) {
                       command.on_output(exec::Stream::out, "$ make\nok\n@@calzion ");
                       command.on_output(exec::Stream::out, "step yes 0 no\n");
                       return exec::Result{0, "", "", ""};
                   });
    Collected collected;
    StepEnd end = run_step(runner, spec, collected.sink());

    REQUIRE(runner.commands().size() == 1);
    const exec::Command command = runner.commands().front();
    std::vector<std::string> create = create_argv(spec);
    CHECK(std::vector<std::string>(command.argv.begin(), command.argv.begin() + 2) ==
          std::vector<std::string>{"sh", "-c"});
    CHECK(command.argv[2].rfind(exec::script_status_prelude(), 0) == 0);
    CHECK(std::vector<std::string>(command.argv.begin() + 3, command.argv.end()) ==
          joined({{"calzion", k_dir, "build", "calzion-job-shop-12-build", "yes"},
                  std::vector<std::string>(create.begin() + 2, create.end())}));
    CHECK(command.input == entrypoint_script(step));
    CHECK_FALSE(command.timeout.has_value());

    CHECK(collected.chunks == std::vector<std::string>{"$ make\nok\n"});
    CHECK(end.started);
    CHECK(end.exit_code == 0);
    CHECK_FALSE(end.canceled);

    SUBCASE("a release gets no checkout and a step without a script no input") {
        tmpl::PipelineStep release = step_named("release", "local/releaser:1");
        run_step(runner, {release, "release", k_dir, &job}, nullptr);
        const exec::Command second = runner.commands().back();
        CHECK(second.argv[7] == "no");
        CHECK(second.input.empty());
    }
}

// The host script itself, run by sh with a `docker` on PATH that plays its
// part from a few lines of shell and records its arguments.
TEST_CASE("jobs::run_step's host script") {
    test::TempStateDir dir("jobs-step");
    namespace fs = std::filesystem;
    const std::string job_dir = dir.dir() + "/instances/shop/jobs/12";
    const std::string calls = dir.dir() + "/docker.calls";
    dir.write("instances/shop/jobs/12/src/Makefile", "all:\n");
    exec::LocalRunner local;
    REQUIRE(local.run({{"tar", "-cf", job_dir + "/source.tar", "-C", job_dir + "/src", "."}, "", {}, {}, false}).ok());

    auto stand_in = [&](const std::string& create, const std::string& start, const std::string& inspect) {
        std::ofstream(dir.dir() + "/../bin/docker")
            << "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '" << calls << "'\n"
            << "case $1 in\n"
            << "create) " << create << " ;;\n"
            << "start) " << start << " ;;\n"
            << "inspect) " << inspect << " ;;\n"
            << "esac\nexit 0\n";
    };
    JobRecord job = job_12();
    tmpl::PipelineStep step = step_named("build", "local/builder:1");
    step.cmds = {"make"};
    StepSpec spec{step, "build", job_dir, &job};
    Collected collected;
    std::string streamed;
    auto sink = [&](std::string_view chunk) { streamed += chunk; };

    SUBCASE("a step that ran: its output in the log and streamed, its exit code, the container removed") {
        stand_in("echo warning: old engine >&2; echo c0ffee",
                 "echo from the step; echo to stderr >&2; printf 'no newline'; exit 7",
                 "echo '7 2026-11-22T09:14:05.1Z'");
        StepEnd end = run_step(local, spec, sink);
        CHECK(end.started);
        CHECK(end.exit_code == 7);
        CHECK_FALSE(end.canceled);
        CHECK(end.message.empty());
        CHECK(streamed == "warning: old engine\nfrom the step\nto stderr\nno newline\n");
        CHECK(dir.read("instances/shop/jobs/12/logs/build.log") ==
              "warning: old engine\nfrom the step\nto stderr\nno newline");
        CHECK(dir.read("instances/shop/jobs/12/steps/build.sh") == entrypoint_script(step));
        CHECK((fs::status(job_dir + "/steps/build.sh").permissions() & fs::perms::all) ==
              (fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read));
        CHECK(fs::exists(job_dir + "/work/build/Makefile"));
        CHECK(fs::is_directory(job_dir + "/artifacts"));
        CHECK_FALSE(fs::exists(job_dir + "/steps/build.err"));
        CHECK_FALSE(fs::exists(job_dir + "/steps/build.exit"));
        std::ifstream in(calls);
        std::vector<std::string> lines;
        for (std::string line; std::getline(in, line);) {
            lines.push_back(line.substr(0, line.find(' ', line.find(' ') + 1)));
        }
        CHECK(lines == std::vector<std::string>{"rm -f", "create --pull=missing", "start -a", "inspect --format",
                                                "rm -f"});
    }

    SUBCASE("a fresh checkout each time: what an earlier run left is gone") {
        stand_in("echo c0ffee", ":", "echo '0 2026-11-22T09:14:05Z'");
        dir.write("instances/shop/jobs/12/work/build/stale", "x");
        CHECK(run_step(local, spec, sink).exit_code == 0);
        CHECK_FALSE(fs::exists(job_dir + "/work/build/stale"));
        CHECK(fs::exists(job_dir + "/work/build/Makefile"));
    }

    SUBCASE("a container that cannot be created") {
        stand_in("echo 'Error response from daemon: No such image: local/builder:1' >&2; exit 1", "exit 99",
                 "exit 99");
        StepEnd end = run_step(local, spec, sink);
        CHECK_FALSE(end.started);
        CHECK_FALSE(end.exit_code.has_value());
        CHECK(end.message ==
              "the container could not be created: Error response from daemon: No such image: local/builder:1");
        CHECK(dir.read("instances/shop/jobs/12/logs/build.log") ==
              "Error response from daemon: No such image: local/builder:1\n");
    }

    SUBCASE("a container that never started") {
        stand_in("echo c0ffee", "echo 'Error response from daemon: exec: \"/bin/sh\": not found' >&2; exit 1",
                 "echo '127 0001-01-01T00:00:00Z'");
        StepEnd end = run_step(local, spec, sink);
        CHECK_FALSE(end.started);
        CHECK(end.message ==
              "the container could not be created: Error response from daemon: exec: \"/bin/sh\": not found");
    }

    SUBCASE("canceled while it ran: the container is gone, docker start's status stands") {
        stand_in("echo c0ffee", "touch '" + job_dir + "/cancel'; exit 137", "exit 1");
        StepEnd end = run_step(local, spec, sink);
        CHECK(end.started);
        CHECK(end.exit_code == 137);
        CHECK(end.canceled);
    }

    SUBCASE("canceled before it started: no container is created") {
        stand_in("exit 99", "exit 99", "exit 99");
        dir.write("instances/shop/jobs/12/cancel", "");
        StepEnd end = run_step(local, spec, sink);
        CHECK_FALSE(end.started);
        CHECK(end.canceled);
        CHECK(end.message.empty());
        std::ifstream in(calls);
        std::string only;
        std::getline(in, only);
        CHECK(only == "rm -f calzion-job-shop-12-build");
        CHECK_FALSE(std::getline(in, only));
    }

    SUBCASE("no source to check out: the step is not prepared, and the log says why") {
        stand_in("exit 99", "exit 99", "exit 99");
        fs::remove(job_dir + "/source.tar");
        StepEnd end = run_step(local, spec, sink);
        CHECK_FALSE(end.started);
        CHECK(end.message == "the step could not be prepared: calzion: cannot check the source out into " + job_dir +
                                 "/work/build");
        CHECK(dir.read("instances/shop/jobs/12/logs/build.log").find("calzion: cannot check the source out") !=
              std::string::npos);
        CHECK_FALSE(fs::exists(calls));
    }
}
