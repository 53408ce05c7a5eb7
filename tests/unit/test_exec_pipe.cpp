#include <doctest/doctest.h>

#include <sstream>

#include "exec/dry_run_runner.hpp"
#include "exec/local_runner.hpp"
#include "exec/pipe.hpp"
#include "fake_runner.hpp"

using namespace calzion;

namespace {

exec::Command sh(const std::string& script) { return {{"sh", "-c", script}, "", std::nullopt, nullptr}; }

}  // namespace

TEST_CASE("exec::pipe") {
    exec::LocalRunner local;

    SUBCASE("a stream bigger than any buffer goes through, in order") {
        // 20 MB of numbered lines: the consumer checks both the count and the order.
        exec::PipeResult result =
            exec::pipe(local, sh("seq 1 2500000"), local, sh("awk '$1 != NR { bad = 1 } END { print NR, bad + 0 }'"));
        CHECK(result.ok());
        CHECK(result.consumer_started);
        CHECK(result.consumer.out == "2500000 0\n");
        CHECK(result.producer.out.empty());
    }
    SUBCASE("the producer's stderr is kept, its stdout is not") {
        exec::PipeResult result = exec::pipe(local, sh("echo data; echo warning >&2"), local, sh("cat"));
        CHECK(result.ok());
        CHECK(result.producer.err == "warning\n");
        CHECK(result.consumer.out == "data\n");
    }
    SUBCASE("a producer that fails before any output never starts the consumer") {
        test::FakeRunner consumer;
        exec::PipeResult result = exec::pipe(local, sh("echo nope >&2; exit 3"), consumer, sh("cat"));
        CHECK_FALSE(result.ok());
        CHECK(result.producer.exit_code == 3);
        CHECK(result.producer.err == "nope\n");
        CHECK_FALSE(result.consumer_started);
        CHECK(consumer.lines().empty());
    }
    SUBCASE("a producer with no output and success still runs the consumer, with empty stdin") {
        exec::PipeResult result = exec::pipe(local, sh("true"), local, sh("wc -c"));
        CHECK(result.ok());
        CHECK(result.consumer.out.find('0') != std::string::npos);
    }
    SUBCASE("a consumer that ends early: the producer still runs out, nothing hangs") {
        exec::PipeResult result = exec::pipe(local, sh("seq 1 2000000; echo done >&2"), local, sh("exit 4"));
        CHECK(result.producer.ok());
        CHECK(result.producer.err == "done\n");
        CHECK(result.consumer.exit_code == 4);
        CHECK_FALSE(result.ok());
    }
    SUBCASE("the consumer's input goes before the stream") {
        exec::Command consumer = sh("cat");
        consumer.input = "first\n";
        exec::PipeResult result = exec::pipe(local, sh("echo second"), local, consumer);
        CHECK(result.consumer.out == "first\nsecond\n");
    }
    SUBCASE("a dry run prints both commands in pipeline order") {
        std::ostringstream out;
        exec::DryRunRunner here("local", out);
        exec::DryRunRunner there("host1", out);
        exec::PipeResult result =
            exec::pipe(here, {{"git", "archive", "HEAD"}, "", std::nullopt, nullptr}, there,
                       {{"docker", "build", "--tag", "a b", "-"}, "", std::nullopt, nullptr});
        CHECK(result.ok());
        CHECK(out.str() == "local: git archive HEAD\nhost1: docker build --tag 'a b' -\n");
    }
}
