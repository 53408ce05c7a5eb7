// The script a step container runs for pre, cmds and post. It is run here for
// real, under dash and under busybox sh: the two /bin/sh an image may have.
#include <doctest/doctest.h>

#include <filesystem>

#include "exec/local_runner.hpp"
#include "jobs/entrypoint.hpp"
#include "state_dir.hpp"

using namespace calzion;

namespace {

const std::vector<std::vector<std::string>> k_shells = {{"/usr/bin/dash"}, {"/usr/bin/busybox", "sh"}};

tmpl::PipelineStep step_of(std::vector<std::string> pre, std::vector<std::string> cmds,
                           std::vector<std::string> post = {}) {
    tmpl::PipelineStep step;
    step.name = "build";
    step.image = "local/builder:1";
    step.pre = std::move(pre);
    step.cmds = std::move(cmds);
    step.post = std::move(post);
    return step;
}

// Run the step's script with `shell` in `dir`, with `env` added to the environment.
exec::Result run_script(const std::vector<std::string>& shell, const test::TempStateDir& dir,
                        const tmpl::PipelineStep& step, const std::vector<std::string>& env = {}) {
    dir.write("step.sh", jobs::entrypoint_script(step));
    exec::Command command;
    command.argv = {"env", "-C", dir.dir()};
    command.argv.insert(command.argv.end(), env.begin(), env.end());
    command.argv.insert(command.argv.end(), shell.begin(), shell.end());
    command.argv.push_back(dir.dir() + "/step.sh");
    exec::LocalRunner runner;
    return runner.run(command);
}

}  // namespace

TEST_CASE("jobs::entrypoint_script") {
    SUBCASE("the text: every line quoted, echoed with printf, run with eval") {
        CHECK(jobs::entrypoint_script(step_of({"cd app"}, {"make"})) ==
              "#!/bin/sh\n"
              "# Step \"build\": written by calzion; runs pre, cmds and post, stopping at the first failure.\n"
              "exec 2>&1\n"
              "printf '%s\\n' '$ cd app'\n"
              "eval 'cd app' || { s=$?; printf '%s %s\\n' 'calzion: \"cd app\" failed with exit status' \"$s\"; "
              "exit \"$s\"; }\n"
              "printf '%s\\n' '$ make'\n"
              "eval make || { s=$?; printf '%s %s\\n' 'calzion: \"make\" failed with exit status' \"$s\"; "
              "exit \"$s\"; }\n"
              "exit 0\n");
    }

    SUBCASE("no script for a step without lines") {
        tmpl::PipelineStep step = step_of({}, {});
        step.cmd = std::vector<std::string>{"make"};
        CHECK(jobs::entrypoint_script(step).empty());
    }
}

TEST_CASE("jobs::entrypoint_script runs under dash and busybox sh") {
    test::TempStateDir dir("jobs-entrypoint");
    std::filesystem::create_directories(dir.dir());

    SUBCASE("hostile lines run exactly as written and echo exactly") {
        for (const auto& shell : k_shells) {
            CAPTURE(shell.front());
            auto step = step_of({"echo \"a  b\" 'c'\"d\""},
                                {"echo $(echo sub) `echo tick`", "echo one\necho 'two  three'",
                                 "printf '%s\\n' \"$HOME\"", "echo \"it's'; reboot\" 'x\"; reboot'",
                                 "printf '%s|' 'back\\slash' '-n' '\\n'; echo", "echo err >&2"},
                                {"echo *.sh"});
            exec::Result result = run_script(shell, dir, step, {"HOME=/home/a b'c"});
            CHECK(result.exit_code == 0);
            CHECK(result.err.empty());
            CHECK(result.out ==
                  "$ echo \"a  b\" 'c'\"d\"\n"
                  "a  b cd\n"
                  "$ echo $(echo sub) `echo tick`\n"
                  "sub tick\n"
                  "$ echo one\necho 'two  three'\n"
                  "one\n"
                  "two  three\n"
                  "$ printf '%s\\n' \"$HOME\"\n"
                  "/home/a b'c\n"
                  "$ echo \"it's'; reboot\" 'x\"; reboot'\n"
                  "it's'; reboot x\"; reboot\n"
                  "$ printf '%s|' 'back\\slash' '-n' '\\n'; echo\n"
                  "back\\slash|-n|\\n|\n"
                  "$ echo err >&2\n"
                  "err\n"
                  "$ echo *.sh\n"
                  "step.sh\n");
        }
    }

    SUBCASE("a glob copies every file") {
        for (const auto& shell : k_shells) {
            CAPTURE(shell.front());
            auto step = step_of({"rm -rf dist out && mkdir dist out", "touch dist/a dist/b 'dist/c d'"},
                                {"cp dist/* \"$ARTIFACTS_DIR\""}, {"ls \"$ARTIFACTS_DIR\""});
            exec::Result result = run_script(shell, dir, step, {"ARTIFACTS_DIR=" + dir.dir() + "/out"});
            CHECK(result.exit_code == 0);
            CHECK(result.out ==
                  "$ rm -rf dist out && mkdir dist out\n"
                  "$ touch dist/a dist/b 'dist/c d'\n"
                  "$ cp dist/* \"$ARTIFACTS_DIR\"\n"
                  "$ ls \"$ARTIFACTS_DIR\"\n"
                  "a\nb\nc d\n");
            CHECK(std::filesystem::exists(dir.dir() + "/out/c d"));
        }
    }

    SUBCASE("a cd in pre carries over to cmds and post") {
        for (const auto& shell : k_shells) {
            CAPTURE(shell.front());
            auto step = step_of({"mkdir -p sub/deeper", "cd sub", "export WHERE=set"}, {"cd deeper"},
                                {"echo \"${PWD##*/} $WHERE\""});
            exec::Result result = run_script(shell, dir, step);
            CHECK(result.exit_code == 0);
            CHECK(result.out ==
                  "$ mkdir -p sub/deeper\n$ cd sub\n$ export WHERE=set\n$ cd deeper\n"
                  "$ echo \"${PWD##*/} $WHERE\"\ndeeper set\n");
        }
    }

    SUBCASE("false fails the step") {
        for (const auto& shell : k_shells) {
            CAPTURE(shell.front());
            exec::Result result = run_script(shell, dir, step_of({}, {"false"}));
            CHECK(result.exit_code == 1);
            CHECK(result.out == "$ false\ncalzion: \"false\" failed with exit status 1\n");
        }
    }

    SUBCASE("it stops at the first failure, with its exit status") {
        for (const auto& shell : k_shells) {
            CAPTURE(shell.front());
            auto step = step_of({"echo pre"}, {"echo one", "(exit 3)", "echo never"}, {"echo post"});
            exec::Result result = run_script(shell, dir, step);
            CHECK(result.exit_code == 3);
            CHECK(result.out ==
                  "$ echo pre\npre\n$ echo one\none\n$ (exit 3)\n"
                  "calzion: \"(exit 3)\" failed with exit status 3\n");
        }
    }

    SUBCASE("a failure in pre stops cmds and post; a failing line that quotes shows escaped") {
        for (const auto& shell : k_shells) {
            CAPTURE(shell.front());
            auto step = step_of({"test -f 'no such'\"file\""}, {"echo never"}, {"echo never"});
            exec::Result result = run_script(shell, dir, step);
            CHECK(result.exit_code == 1);
            CHECK(result.out ==
                  "$ test -f 'no such'\"file\"\n"
                  "calzion: \"test -f 'no such'\\\"file\\\"\" failed with exit status 1\n");
        }
    }
}
