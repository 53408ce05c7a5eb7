#include <doctest/doctest.h>

#include <memory>
#include <sstream>
#include <stdexcept>

#include "deploy/converge.hpp"
#include "exec/sequence.hpp"
#include "ops/session.hpp"
#include "fake_runner.hpp"
#include "template_helpers.hpp"
#include "util/error.hpp"

using namespace calzion;

namespace {

const char* const k_empty_host =
    "@@calzion state_dir\n/var/lib/calzion\n@@calzion format\n@@calzion current\n\n@@calzion revision\n"
    "@@calzion lock\n@@calzion secrets\n@@calzion secrets-applied\n@@calzion init\n@@calzion observed\n"
    "@@docker inspect\n@@docker volumes\n@@calzion end\n";

// A first deploy of one service whose start script throws what `fail` throws.
struct Fixture {
    test::FakeRunner runner;
    deploy::HostOutcome outcome;
    std::unique_ptr<ops::Session> session;
    std::ostringstream log;
    events::LineReporter reporter{log, false};

    // The host holds nothing of the instance yet.
    Fixture() {
        runner.on([](const std::vector<std::string>& argv) {
            return argv.size() > 2 && argv[2].find("calzion_dump") != std::string::npos;
        }, exec::Result{0, "", k_empty_host, ""});
        session = std::make_unique<ops::Session>(runner, ops::SessionOptions{"", "shop", "deploy", 0, {},
                                                                            ops::SessionOptions::Mode::read, nullptr});
        outcome.host = "fake";
        outcome.revision_after = 1;
        outcome.deployment = std::make_unique<render::Deployment>(
            testing::render_yaml("services:\n  web: {image: \"nginx:1.25\"}\n", "shop"));
        outcome.plan = deploy::plan_for(*outcome.deployment, session->observed(), session->runtime(), {});
    }

    void fail_start_with(std::function<void()> fail) {
        runner.on_call([](const std::vector<std::string>& argv) { return !exec::sequence_steps(argv).empty(); },
                       [fail](const exec::Command&) -> exec::Result {
                           fail();
                           return {0, "", "", ""};
                       });
    }

    // The error apply_and_record throws; fails the test if it throws none.
    Error error() {
        try {
            deploy::apply_and_record(outcome, *session, {}, reporter);
        } catch (const Error& error) {
            return error;
        }
        FAIL("no error");
        return Error(ErrorKind::operation_failed, "");
    }

    // The revision recorded on the host (the input of the command that writes it).
    std::string recorded() const {
        for (const auto& command : runner.commands()) {
            if (command.input.find("\"status\":\"failed\"") != std::string::npos) {
                return command.input;
            }
        }
        return "";
    }
};

}  // namespace

TEST_CASE("deploy::apply_and_record keeps the kind of apply's error to the exit code") {
    Fixture f;
    SUBCASE("a lost connection: unreachable, 69") {
        f.fail_start_with([] { throw Error(ErrorKind::unreachable, "connection to fake lost: reset"); });
        Error error = f.error();
        CHECK(error.kind() == ErrorKind::unreachable);
        CHECK(exit_code_for(error.kind()) == 69);
        CHECK(error.message() == "service \"web\": connection to fake lost: reset");
        CHECK(f.recorded().find("service \\\"web\\\": connection to fake lost: reset") != std::string::npos);
    }
    SUBCASE("permission denied: 77") {
        f.fail_start_with([] { throw Error(ErrorKind::permission, "permission denied"); });
        Error error = f.error();
        CHECK(error.kind() == ErrorKind::permission);
        CHECK(exit_code_for(error.kind()) == 77);
        CHECK(error.message() == "service \"web\": permission denied");
    }
    SUBCASE("a lock taken away: 75") {
        f.fail_start_with([] { throw Error(ErrorKind::lock_held, "the lock is held by another deploy"); });
        Error error = f.error();
        CHECK(error.kind() == ErrorKind::lock_held);
        CHECK(exit_code_for(error.kind()) == 75);
    }
    SUBCASE("a failed docker command: operation failed, 1") {
        f.runner.on([](const std::vector<std::string>& argv) { return !exec::sequence_steps(argv).empty(); },
                    exec::Result{101, "", "", "Unable to find image\n"});  // step 1: docker run
        Error error = f.error();
        CHECK(error.kind() == ErrorKind::operation_failed);
        CHECK(exit_code_for(error.kind()) == 1);
        CHECK(error.message() == "service \"web\": docker run failed: Unable to find image");
        CHECK(f.recorded().find("service \\\"web\\\": docker run failed: Unable to find image") != std::string::npos);
    }
    SUBCASE("anything else thrown: operation failed, 1, named an internal error") {
        f.fail_start_with([] { throw std::runtime_error("boom"); });
        Error error = f.error();
        CHECK(error.kind() == ErrorKind::operation_failed);
        CHECK(exit_code_for(error.kind()) == 1);
        CHECK(error.message() == "service \"web\": internal error: boom");
    }
}
