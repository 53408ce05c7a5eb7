#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "output/history.hpp"

using namespace calzion;

namespace {

state::Revision record(int revision, const std::string& command, const std::string& status) {
    state::Revision out;
    out.revision = revision;
    out.time = "2026-11-22T09:1" + std::to_string(revision) + ":00Z";
    out.user = "ann";
    out.machine = "laptop";
    out.command = command;
    out.status = status;
    out.template_file = "app.yaml";
    out.template_digest = "0123456789abcdef0123";
    return out;
}

std::vector<deploy::HostHistory> histories() {
    deploy::HostHistory host1;
    host1.host = "host1";
    host1.history.current_revision = 2;
    host1.history.revisions = {record(2, "rollback", "succeeded"), record(1, "deploy", "succeeded")};
    host1.history.revisions[0].message = "rollback to revision 1";
    host1.history.revisions[0].changes = {"web: replace (env)"};
    host1.history.revisions[1].git_commit = "fedcba9876543210fedcba9876543210fedcba98-dirty";
    host1.history.revisions[1].changes = {"web: create", "db: create"};
    deploy::HostHistory host2;
    host2.host = "host2";
    deploy::HostHistory host3;
    host3.host = "host3";
    host3.error = Error(ErrorKind::unreachable, "cannot connect");
    return {host1, host2, host3};
}

}  // namespace

TEST_CASE("output::history_text") {
    CHECK(output::history_text(histories(), "shop") ==
          "host1: shop at revision 2, 2 recorded\n"
          "  REV  TIME                  BY          COMMAND   STATUS     DIGEST        COMMIT              TEMPLATE\n"
          "* 2    2026-11-22T09:12:00Z  ann@laptop  rollback  succeeded  0123456789ab  -                   app.yaml\n"
          "       rollback to revision 1\n"
          "       web: replace (env)\n"
          "  1    2026-11-22T09:11:00Z  ann@laptop  deploy    succeeded  0123456789ab  fedcba987654-dirty  app.yaml\n"
          "       web: create\n"
          "       db: create\n"
          "host2: \"shop\" has no revisions\n"
          "host3: error: cannot connect\n");
}

TEST_CASE("output::history_json") {
    auto document = nlohmann::json::parse(output::history_json(histories(), "shop"));
    CHECK(document["instance"] == "shop");
    const auto& host1 = document["hosts"][0];
    CHECK(host1["current_revision"] == 2);
    CHECK(host1["error"].is_null());
    CHECK(host1["revisions"][0].dump() ==
          R"j({"changes":["web: replace (env)"],"command":"rollback","current":true,"git_commit":null,)j"
          R"("machine":"laptop","message":"rollback to revision 1","revision":2,"status":"succeeded",)"
          R"("template":"app.yaml","template_digest":"0123456789abcdef0123","time":"2026-11-22T09:12:00Z","user":"ann"})");
    CHECK(host1["revisions"][1]["git_commit"] == "fedcba9876543210fedcba9876543210fedcba98-dirty");
    CHECK(host1["revisions"][1]["message"].is_null());
    CHECK(document["hosts"][1]["revisions"].empty());
    CHECK(document["hosts"][2]["error"]["exit_code"] == 69);
    CHECK(document["hosts"][2]["error"]["message"] == "cannot connect");
}

TEST_CASE("output::history_text with multi-line messages") {
    auto several = histories();
    several.resize(1);
    several[0].history.revisions.resize(1);
    several[0].history.revisions[0].message = "web: docker run failed:\nport is already allocated\n";
    several[0].history.revisions[0].changes = {};
    CHECK(output::history_text(several, "shop") ==
          "host1: shop at revision 2, 1 recorded\n"
          "  REV  TIME                  BY          COMMAND   STATUS     DIGEST        COMMIT              TEMPLATE\n"
          "* 2    2026-11-22T09:12:00Z  ann@laptop  rollback  succeeded  0123456789ab  -                   app.yaml\n"
          "       web: docker run failed:\n"
          "       port is already allocated\n");
}
