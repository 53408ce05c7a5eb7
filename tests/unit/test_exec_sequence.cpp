#include "exec/sequence.hpp"

#include <doctest/doctest.h>

#include "exec/local_runner.hpp"

using namespace calzion;

namespace {

exec::Result run_here(const std::vector<std::vector<std::string>>& steps, size_t keep_stdout) {
    exec::LocalRunner runner;
    exec::Command command;
    command.argv = exec::sequence_argv(steps, keep_stdout);
    return runner.run(command);
}

}  // namespace

TEST_CASE("exec::sequence_argv") {
    SUBCASE("runs the steps in order in one sh; only the chosen step's stdout is kept, every stderr is") {
        auto result = run_here({{"echo", "dropped"}, {"sh", "-c", "echo kept; echo said >&2"}, {"echo", "dropped too"}},
                               1);
        CHECK(result.ok());
        CHECK(result.out == "kept\n");
        CHECK(result.err == "said\n");
    }
    SUBCASE("words reach each step unchanged, never evaluated, beyond nine of them") {
        std::vector<std::string> words = {"printf", "%s|", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10",
                                          "$(echo no)", "a 'b' \"c\"", "", "`x`;*"};
        auto result = run_here({words}, 0);
        CHECK(result.ok());
        CHECK(result.out == "1|2|3|4|5|6|7|8|9|10|$(echo no)|a 'b' \"c\"||`x`;*|");
    }
    SUBCASE("stops at the first failing step and says which") {
        auto result = run_here({{"true"}, {"sh", "-c", "echo no >&2; exit 3"}, {"sh", "-c", "echo ran"}}, 2);
        CHECK(result.exit_code == exec::sequence_exit(1));
        CHECK(result.out.empty());
        CHECK(result.err == "no\n");
        CHECK(exec::failed_step(result, 3) == 1);
    }
    SUBCASE("a result that no step's exit gives names no step") {
        CHECK(exec::failed_step(exec::Result{1, "", "", ""}, 3) == 3);
        CHECK(exec::failed_step(exec::Result{exec::sequence_exit(3), "", "", ""}, 3) == 3);
        CHECK(exec::failed_step(exec::Result{-1, "KILL", "", ""}, 3) == 3);
    }
}
