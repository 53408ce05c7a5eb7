#include "exec/local_runner.hpp"
#include "util/error.hpp"

#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <fcntl.h>
#include <stdexcept>
#include <thread>
#include <unistd.h>

using calzion::Error;
using calzion::ErrorKind;
using calzion::exec::Command;
using calzion::exec::LocalRunner;
using calzion::exec::Result;
using calzion::exec::Stream;
using namespace std::chrono_literals;

namespace {

Command sh(const std::string& script) {
    Command command;
    command.argv = {"sh", "-c", script};
    return command;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

TEST_CASE("exec::LocalRunner") {
    LocalRunner runner;
    CHECK(runner.host() == "local");

    SUBCASE("argv is passed without a shell") {
        Command command;
        command.argv = {"printf", "%s|", "a b", "$(echo no)", "'"};
        Result result = runner.run(command);
        CHECK(result.ok());
        CHECK(result.out == "a b|$(echo no)|'|");
        CHECK(result.err.empty());
    }

    SUBCASE("exit codes and stderr") {
        Result result = runner.run(sh("echo out; echo err >&2; exit 3"));
        CHECK_FALSE(result.ok());
        CHECK(result.exit_code == 3);
        CHECK(result.signal.empty());
        CHECK(result.out == "out\n");
        CHECK(result.err == "err\n");
    }

    SUBCASE("signals") {
        Result killed = runner.run(sh("kill -KILL $$"));
        CHECK_FALSE(killed.ok());
        CHECK(killed.signal == "KILL");
        Result terminated = runner.run(sh("echo before; kill -TERM $$"));
        CHECK(terminated.signal == "TERM");
        CHECK(terminated.out == "before\n");
    }

    SUBCASE("a program that cannot be found or executed") {
        Command missing;
        missing.argv = {"calzion-no-such-program", "x"};
        Result result = runner.run(missing);
        CHECK(result.exit_code == 127);
        CHECK(result.err == "calzion: \"calzion-no-such-program\": command not found\n");

        Command missing_path;
        missing_path.argv = {"/nonexistent/program"};
        CHECK(runner.run(missing_path).exit_code == 127);

        Command not_executable;
        not_executable.argv = {"/"};  // a directory: execve fails with EACCES
        Result denied = runner.run(not_executable);
        CHECK(denied.exit_code == 126);
        CHECK(denied.err == "calzion: cannot execute \"/\": permission denied\n");
    }

    SUBCASE("an empty command is refused") {
        Command empty;
        CHECK_THROWS_WITH_AS(runner.run(empty), "cannot run an empty command", Error);
    }

    SUBCASE("large output on both streams does not deadlock") {
        // 2 MiB on each stream, interleaved, far beyond any pipe buffer.
        Result result = runner.run(sh("i=0; while [ $i -lt 32 ]; do head -c 65536 /dev/zero; "
                                      "head -c 65536 /dev/zero >&2; i=$((i+1)); done"));
        CHECK(result.ok());
        CHECK(result.out.size() == 2u * 1024 * 1024);
        CHECK(result.err.size() == 2u * 1024 * 1024);
    }

    SUBCASE("input goes to stdin, then stdin is closed") {
        Command command;
        command.argv = {"wc", "-c"};
        command.input = std::string(3 * 1024 * 1024, 'x');
        Result result = runner.run(command);
        CHECK(result.ok());
        CHECK(result.out.find("3145728") != std::string::npos);

        Command cat;
        cat.argv = {"cat"};
        CHECK(runner.run(cat).out.empty());  // no input: stdin is at end at once
    }

    SUBCASE("input that the program does not read does not kill calzion") {
        Command command = sh("exit 4");
        command.input = std::string(4 * 1024 * 1024, 'x');
        CHECK(runner.run(command).exit_code == 4);
    }

    SUBCASE("timeout kills the program and throws") {
        Command command = sh("echo started; sleep 30");
        command.timeout = 300ms;
        auto begin = std::chrono::steady_clock::now();
        CHECK_THROWS_WITH_AS(runner.run(command), "command \"sh -c 'echo started; sleep 30'\" timed out after 0.3 s",
                             Error);
        CHECK(seconds_since(begin) < 5.0);
        try {
            runner.run(command);
        } catch (const Error& error) {
            CHECK(error.kind() == ErrorKind::operation_failed);
        }
    }

    SUBCASE("a timeout that is not reached changes nothing") {
        Command command = sh("echo fine");
        command.timeout = 10s;
        CHECK(runner.run(command).out == "fine\n");
    }

    SUBCASE("on_output streams chunks instead of collecting them") {
        Command command = sh("echo one; echo two >&2; echo three");
        std::string out;
        std::string err;
        command.on_output = [&](Stream stream, std::string_view data) {
            (stream == Stream::out ? out : err).append(data);
        };
        Result result = runner.run(command);
        CHECK(result.ok());
        CHECK(result.out.empty());
        CHECK(result.err.empty());
        CHECK(out == "one\nthree\n");
        CHECK(err == "two\n");
    }

    SUBCASE("the program inherits no descriptor but stdin, stdout and stderr") {
        int inheritable = ::open("/dev/null", O_RDONLY);  // deliberately not close-on-exec
        REQUIRE(inheritable >= 0);
        Result result = runner.run(sh("ls /proc/$$/fd"));  // the shell's descriptors, not ls's
        ::close(inheritable);
        CHECK(result.out == "0\n1\n2\n");
    }

    SUBCASE("an exception from on_output ends the program and propagates") {
        Command command;
        command.argv = {"yes"};
        command.on_output = [](Stream, std::string_view) { throw std::runtime_error("stop"); };
        auto begin = std::chrono::steady_clock::now();
        CHECK_THROWS_WITH_AS(runner.run(command), "stop", std::runtime_error);
        CHECK(seconds_since(begin) < 5.0);
    }

    SUBCASE("concurrent runs from several threads") {
        std::atomic<int> good{0};
        std::vector<std::thread> threads;
        for (int i = 0; i < 8; ++i) {
            threads.emplace_back([&runner, &good, i] {
                Command command;
                command.argv = {"sh", "-c", "sleep 0.2; echo $0", std::to_string(i)};
                Result result = runner.run(command);
                if (result.ok() && result.out == std::to_string(i) + "\n") {
                    ++good;
                }
            });
        }
        auto begin = std::chrono::steady_clock::now();
        for (auto& thread : threads) {
            thread.join();
        }
        CHECK(good == 8);
        CHECK(seconds_since(begin) < 1.5);  // in parallel, not one after another
    }
}

TEST_CASE("exec::LocalRunner::start") {
    LocalRunner runner;

    SUBCASE("read_line and finish") {
        Command command = sh("echo ready; read line; echo \"got $line\"; echo bye >&2; exit 5");
        command.input = "hello\n";
        auto process = runner.start(command);
        CHECK(process->read_line(5s) == std::optional<std::string>("ready"));
        CHECK(process->read_line(5s) == std::optional<std::string>("got hello"));
        Result result = process->finish();
        CHECK(result.exit_code == 5);
        CHECK(result.err == "bye\n");
        CHECK(result.out.empty());
    }

    SUBCASE("stdin stays open until finish") {
        auto process = runner.start(sh("echo waiting; cat >/dev/null; echo stdin closed"));
        CHECK(process->read_line(5s) == std::optional<std::string>("waiting"));
        auto begin = std::chrono::steady_clock::now();
        CHECK(process->read_line(200ms) == std::nullopt);  // still waiting for stdin
        CHECK(seconds_since(begin) >= 0.19);
        Result result = process->finish();
        CHECK(result.ok());
        CHECK(result.out == "stdin closed\n");
    }

    SUBCASE("read_line returns a last line without newline, then nullopt") {
        auto process = runner.start(sh("printf 'a\\nb'"));
        CHECK(process->read_line(5s) == std::optional<std::string>("a"));
        CHECK(process->read_line(5s) == std::optional<std::string>("b"));
        CHECK(process->read_line(5s) == std::nullopt);
        CHECK(process->finish().ok());
    }

    SUBCASE("destroying the process closes stdin without waiting") {
        auto begin = std::chrono::steady_clock::now();
        {
            auto process = runner.start(sh("cat; sleep 0.5"));
        }
        CHECK(seconds_since(begin) < 0.4);
        std::this_thread::sleep_for(1s);  // let the program end, so nothing outlives the test
    }

    SUBCASE("finish honours the timeout") {
        Command command = sh("sleep 30");
        command.timeout = 200ms;
        auto process = runner.start(command);
        CHECK_THROWS_WITH_AS(process->finish(), "command \"sh -c 'sleep 30'\" timed out after 0.2 s", Error);
    }

    SUBCASE("a program that cannot be found") {
        Command command;
        command.argv = {"calzion-no-such-program"};
        auto process = runner.start(command);
        CHECK(process->read_line(1s) == std::nullopt);
        CHECK(process->finish().exit_code == 127);
    }
}
