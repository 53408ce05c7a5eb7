#include <doctest/doctest.h>
#include <atomic>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <string>
#include <vector>
#include "exec/executor.hpp"

using namespace calzion;
using State = exec::TaskOutcome::State;

TEST_CASE("exec::TaskGraph") {
    SUBCASE("a task runs only after those it comes after, and each runs once") {
        std::mutex mutex;
        std::vector<std::string> order;
        auto log = [&](std::string name) {
            return [&, name] {
                std::lock_guard<std::mutex> guard(mutex);
                order.push_back(name);
            };
        };
        exec::TaskGraph graph;
        size_t db = graph.add(log("db"));
        size_t cache = graph.add(log("cache"));
        size_t api = graph.add(log("api"), {db, cache});
        graph.add(log("web"), {api});
        auto outcomes = graph.run(4);
        REQUIRE(outcomes.size() == 4);
        for (const auto& outcome : outcomes) {
            CHECK(outcome.ok());
        }
        REQUIRE(order.size() == 4);
        CHECK(order[2] == "api");
        CHECK(order[3] == "web");
    }
    SUBCASE("at most `limit` tasks run at once") {
        std::atomic<int> running{0};
        std::atomic<int> most{0};
        exec::TaskGraph graph;
        for (int i = 0; i < 20; ++i) {
            graph.add([&] {
                int now = ++running;
                int seen = most.load();
                while (now > seen && !most.compare_exchange_weak(seen, now)) {
                }
                std::this_thread::yield();
                --running;
            });
        }
        graph.run(3);
        CHECK(most.load() <= 3);
        CHECK(most.load() >= 1);
    }
    SUBCASE("a foreign exception becomes an Error, dependents are skipped, the others go on") {
        exec::TaskGraph graph;
        size_t bad = graph.add([] { throw std::out_of_range("map::at"); });
        size_t after_bad = graph.add([] {}, {bad});
        size_t after_after = graph.add([] {}, {after_bad});
        bool other_ran = false;
        size_t other = graph.add([&] { other_ran = true; });
        size_t lock = graph.add([] { throw Error(ErrorKind::lock_held, "held"); });
        auto outcomes = graph.run(2);
        CHECK(outcomes[bad].state == State::failed);
        REQUIRE(outcomes[bad].error);
        CHECK(outcomes[bad].error->kind() == ErrorKind::operation_failed);
        CHECK(outcomes[bad].error->message() == "internal error: map::at");
        CHECK(outcomes[after_bad].state == State::skipped);
        CHECK(outcomes[after_after].state == State::skipped);
        CHECK(outcomes[other].ok());
        CHECK(other_ran);
        CHECK(outcomes[lock].error->kind() == ErrorKind::lock_held);
    }
    SUBCASE("an empty graph ends at once") {
        exec::TaskGraph graph;
        CHECK(graph.run(8).empty());
    }
    SUBCASE("a task cannot come after one not yet added") {
        exec::TaskGraph graph;
        CHECK_THROWS_AS(graph.add([] {}, {0}), Error);
    }
}

TEST_CASE("exec::run_each") {
    auto errors = exec::run_each(3, 2, [](size_t i) {
        if (i == 1) {
            throw std::runtime_error("boom");
        }
    });
    REQUIRE(errors.size() == 3);
    CHECK_FALSE(errors[0]);
    REQUIRE(errors[1]);
    CHECK(errors[1]->message() == "internal error: boom");
    CHECK_FALSE(errors[2]);
}
