#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "exec/local_runner.hpp"
#include "render/deployment_json.hpp"
#include "state/history.hpp"
#include "state/store.hpp"
#include "state_dir.hpp"
#include "template_helpers.hpp"
#include "util/error.hpp"

using namespace calzion;

namespace {

const char* k_revision_1 =
    R"({"format":1,"revision":1,"status":"succeeded","command":"deploy","time":"2026-11-22T09:14:03Z",)"
    R"("user":"ann","machine":"laptop","template":"app.yaml","template_digest":"d1","git_commit":"c1-dirty",)"
    R"("message":"","changes":["web: create"],"deployment":{"format":1,"instance":"shop","network":"cz-shop",)"
    R"("revision":1,"services":[]}})";
// Written by an older calzion: only what every version wrote.
const char* k_revision_2 = R"({"revision":2,"status":"failed","deployment":{"format":1,"instance":"shop",)"
                           R"("network":"cz-shop","revision":2,"services":[]}})";

std::string history_output(const std::string& current, const std::string& revisions) {
    return "@@calzion state_dir\n/var/lib/calzion\n@@calzion format\n1\n@@calzion current\n" + current + "\n" +
           revisions + "@@calzion end\n";
}

std::string message_of(const std::function<void()>& work) {
    try {
        work();
    } catch (const Error& error) {
        return error.message();
    }
    return "no error";
}

}  // namespace

TEST_CASE("state::parse_history") {
    SUBCASE("every revision, newest first, numbered by its file") {
        auto history = state::parse_history(
            history_output("10", std::string("@@calzion revision 2\n") + k_revision_2 + "\n@@calzion revision 10\n" +
                                     k_revision_2 + "\n@@calzion revision 1\n" + k_revision_1 + "\n"),
            "shop", "h");
        CHECK(history.state_dir == "/var/lib/calzion");
        CHECK(history.current_revision == 10);
        REQUIRE(history.revisions.size() == 3);
        CHECK(history.revisions[0].revision == 10);
        CHECK(history.revisions[1].revision == 2);
        CHECK(history.revisions[2].revision == 1);
        const state::Revision& first = history.revisions[2];
        CHECK(first.time == "2026-11-22T09:14:03Z");
        CHECK(first.user == "ann");
        CHECK(first.machine == "laptop");
        CHECK(first.command == "deploy");
        CHECK(first.status == "succeeded");
        CHECK(first.template_file == "app.yaml");
        CHECK(first.template_digest == "d1");
        CHECK(first.git_commit == "c1-dirty");
        CHECK(first.changes == std::vector<std::string>{"web: create"});
        CHECK(first.deployment.instance == "shop");
        CHECK(first.deployment.network == "cz-shop");
        CHECK(history.find(2) == &history.revisions[1]);
        CHECK(history.find(3) == nullptr);
    }
    SUBCASE("fields an older calzion did not write read as empty") {
        auto history = state::parse_history(history_output("2", std::string("@@calzion revision 2\n") + k_revision_2 + "\n"),
                                            "shop", "h");
        REQUIRE(history.revisions.size() == 1);
        CHECK(history.revisions[0].status == "failed");
        CHECK(history.revisions[0].user.empty());
        CHECK(history.revisions[0].changes.empty());
    }
    SUBCASE("an instance never deployed has no revisions") {
        auto history = state::parse_history(history_output("", ""), "shop", "h");
        CHECK(history.current_revision == 0);
        CHECK(history.revisions.empty());
    }
    SUBCASE("files not named after a number are not revisions") {
        auto history = state::parse_history(
            history_output("1", std::string("@@calzion revision backup\n") + k_revision_1 + "\n"), "shop", "h");
        CHECK(history.revisions.empty());
    }
    SUBCASE("a record that is not a revision document is invalid data, naming the file and host") {
        try {
            state::parse_history(history_output("3", "@@calzion revision 3\n{\"revision\":3\n"), "shop", "host1");
            FAIL("expected an error");
        } catch (const Error& error) {
            CHECK(error.kind() == ErrorKind::invalid_data);
            CHECK(error.message() == "the revision file \"/var/lib/calzion/instances/shop/revisions/3.json\" on "
                                     "\"host1\" cannot be read: it is not a revision document");
        }
    }
    SUBCASE("output cut short is an operation failure") {
        CHECK(message_of([] { state::parse_history("@@calzion state_dir\n/x\n", "shop", "h"); }) ==
              "the history on the host could not be read");
    }
    SUBCASE("a newer state format is refused") {
        CHECK(message_of([] {
                  state::parse_history("@@calzion state_dir\n/x\n@@calzion format\n9\n@@calzion end\n", "shop", "h");
              }) == "the state in \"/x\" has format 9, newer than this calzion's (1): upgrade calzion");
    }
}

TEST_CASE("state::read_history runs its script on the host") {
    test::TempStateDir state("history-test");
    exec::LocalRunner runner;
    auto [lock, observed] = state::lock_and_read(runner, state.dir(), "shop", "deploy", 0, {});
    for (int revision : {1, 2}) {
        state::RevisionInfo info;
        info.revision = revision;
        info.status = "succeeded";
        info.command = revision == 1 ? "deploy" : "rollback";
        info.git_commit = "abc";
        info.message = revision == 1 ? "" : "rollback to revision 1";
        info.changes = {"web: create"};
        state::record_revision(runner, observed, "shop", info, render::Deployment{"shop", "cz-shop", revision, {}});
    }
    // Leftovers of an interrupted write are not revisions.
    state.write("instances/shop/revisions/3.json.tmp", "{");

    state::History history = state::read_history(runner, state.dir(), "shop");
    CHECK(history.state_dir == state.dir());
    CHECK(history.current_revision == 2);
    REQUIRE(history.revisions.size() == 2);
    CHECK(history.revisions[0].command == "rollback");
    CHECK(history.revisions[0].message == "rollback to revision 1");
    CHECK(history.revisions[1].command == "deploy");
    CHECK(history.revisions[1].git_commit == "abc");
    CHECK_FALSE(history.revisions[1].user.empty());

    SUBCASE("an instance never deployed has an empty history") {
        CHECK(state::read_history(runner, state.dir(), "blog").revisions.empty());
    }
    SUBCASE("instance names are checked before they reach a path on the host") {
        CHECK(message_of([&] { state::read_history(runner, state.dir(), "../etc"); }).find("invalid instance name ") ==
              0);
    }
}
