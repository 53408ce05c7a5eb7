#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "render/deployment_json.hpp"
#include "state/host_state.hpp"
#include "state/listing.hpp"
#include "util/error.hpp"

using namespace calzion;

namespace {

std::string dump(const std::string& format, const std::string& current, const std::string& revision) {
    return "@@calzion state_dir\n/var/lib/calzion\n@@calzion format\n" + format + "\n@@calzion current\n" + current +
           "\n@@calzion revision\n" + revision + "\n@@calzion lock\n@@calzion observed\n@@docker inspect\n"
           R"({"RepoTags":["nginx:1.25"],"Id":"sha256:abc"})"
           "\n@@calzion end\n";
}

// Revision 3 of "shop" as a host records it: its one service "web" with an env,
// a label besides the revision's and a named volume.
nlohmann::json revision_3() {
    render::RenderedService web;
    web.name = "web";
    web.container = "shop-web";
    web.spec_hash = "h";
    web.image = "nginx:1.25";
    web.env = {{"A", "1"}};
    web.labels = {{"io.calzion.revision", "3"}, {"x", "y"}};
    web.mounts = {{render::MountType::volume, "cz-shop-data", "/d", false}};
    web.routes = {{"shop.example.test", 80}};
    render::Deployment deployment{"shop", "cz-shop", 3, {web}};
    return {{"revision", 3},
            {"status", "failed"},
            {"command", "deploy"},
            {"message", "web did not get healthy"},
            {"deployment", nlohmann::json::parse(render::deployment_to_json(deployment).dump())}};
}

std::string problem_in(const std::string& output) {
    try {
        state::parse_dump(output, "shop", "h");
    } catch (const Error& error) {
        CHECK(error.kind() == ErrorKind::invalid_data);
        return error.message();
    }
    return "no error";
}

}  // namespace

TEST_CASE("state::parse_dump") {
    SUBCASE("a fresh host") {
        auto state = state::parse_dump(dump("", "", ""), "shop", "h");
        CHECK(state.state_dir == "/var/lib/calzion");
        CHECK(state.format == 0);
        CHECK(state.current_revision == 0);
        CHECK(state.recorded.empty());
        // What the backend's observe fragment printed is its own to read.
        CHECK(state.observer_output == "@@docker inspect\n" R"({"RepoTags":["nginx:1.25"],"Id":"sha256:abc"})" "\n");
        CHECK(state.instance_dir("shop") == "/var/lib/calzion/instances/shop");
    }
    SUBCASE("a recorded revision gives each service's fields, without the revision label") {
        auto state = state::parse_dump(dump("1", "3", revision_3().dump()), "shop", "h");
        CHECK(state.current_revision == 3);
        const auto* web = state.recorded_service("web");
        REQUIRE(web != nullptr);
        CHECK(web->spec_hash == "h");
        CHECK(web->fields.at("env") == R"({"A":"1"})");
        CHECK(web->fields.at("labels") == R"({"x":"y"})");
        CHECK(web->fields.count("spec_hash") == 0);
        CHECK(web->volumes == std::vector<std::string>{"cz-shop-data"});
        CHECK(web->routes == std::vector<render::Route>{{"shop.example.test", 80}});
        REQUIRE(web->mounts.size() == 1);
        CHECK(web->mounts[0].type == render::MountType::volume);
        REQUIRE(state.revision.has_value());
        CHECK(state.revision->deployment.find("web")->env.at("A") == "1");
        state::RevisionOutcome outcome = state::current_outcome(state);
        CHECK(outcome.command == "deploy");
        CHECK(outcome.status == "failed");
        CHECK(outcome.message == "web did not get healthy");
    }
    SUBCASE("a record lacking fields (written by hand) gives the fields it has, to compare with") {
        nlohmann::json document = revision_3();
        document["deployment"]["services"][0] = {{"name", "web"}, {"container", "shop-web"}, {"spec_hash", "old"},
                                                 {"env", {{"A", "1"}}}};
        auto state = state::parse_dump(dump("1", "3", document.dump()), "shop", "h");
        const auto* web = state.recorded_service("web");
        REQUIRE(web != nullptr);
        CHECK(web->spec_hash == "old");
        CHECK(web->image.empty());
        CHECK(web->fields == std::map<std::string, std::string>{{"container", "\"shop-web\""},
                                                               {"env", R"({"A":"1"})"},
                                                               {"name", "\"web\""}});
    }
    SUBCASE("a current revision whose file is gone (being destroyed) gives no services") {
        auto state = state::parse_dump(dump("1", "3", ""), "shop", "h");
        CHECK(state.current_revision == 3);
        CHECK_FALSE(state.revision.has_value());
        CHECK(state.recorded.empty());
        CHECK(state::current_outcome(state).status.empty());
    }
    SUBCASE("the names in each secret env file on the host, never values") {
        std::string text = dump("1", "", "");
        text.replace(text.find("@@calzion observed"), 0, "@@calzion secrets\nweb TOKEN KEY\nworker\n");
        auto state = state::parse_dump(text, "shop", "h");
        CHECK(state.secret_files.at("web") == std::set<std::string>{"KEY", "TOKEN"});
        CHECK(state.secret_files.at("worker").empty());
        CHECK(state.secret_files.size() == 2);
    }
    SUBCASE("the services whose init has run, one marker each") {
        std::string text = dump("1", "", "");
        text.replace(text.find("@@calzion observed"), 0, "@@calzion init\ndb\nqueue\n");
        auto state = state::parse_dump(text, "shop", "h");
        CHECK(state.init_done == std::set<std::string>{"db", "queue"});
        CHECK(state::parse_dump(dump("1", "", ""), "shop", "h").init_done.empty());
    }
    SUBCASE("a newer state format is refused, never overwritten") {
        try {
            state::parse_dump(dump("2", "", ""), "shop", "h");
            FAIL("expected an error");
        } catch (const Error& error) {
            CHECK(error.kind() == ErrorKind::invalid_data);
            CHECK(error.message() ==
                  "the state in \"/var/lib/calzion\" has format 2, newer than this calzion's (1): upgrade calzion");
        }
    }
    SUBCASE("an answer cut short is an operation failure") {
        try {
            state::parse_dump("@@calzion state_dir\n/x\n@@calzion observed\n", "shop", "h");
            FAIL("expected an error");
        } catch (const Error& error) {
            CHECK(error.kind() == ErrorKind::operation_failed);
            CHECK(error.message() == "the host's state could not be read");
        }
    }
    SUBCASE("an unreadable revision is invalid data naming its file and the host, never skipped") {
        CHECK(problem_in(dump("1", "2", "{broken")) ==
              "the revision file \"/var/lib/calzion/instances/shop/revisions/2.json\" on \"h\" cannot be read: it "
              "is not a revision document");
        nlohmann::json document = revision_3();
        document["status"] = 1;
        CHECK(problem_in(dump("1", "3", document.dump())) ==
              "the revision file \"/var/lib/calzion/instances/shop/revisions/3.json\" on \"h\" cannot be read: "
              "\"status\" must be a string");
        document = revision_3();
        document["deployment"]["services"][0]["mounts"] = "/d";
        CHECK(problem_in(dump("1", "3", document.dump())) ==
              "the revision file \"/var/lib/calzion/instances/shop/revisions/3.json\" on \"h\" cannot be read: "
              "invalid deployment document: \"services[0].mounts\" must be a list");
    }
}

TEST_CASE("state::parse_listing") {
    auto records = state::parse_listing(
        "@@calzion instance shop\n4\n{\"time\":\"T\",\"user\":\"ann\",\"machine\":\"m\",\"status\":\"failed\"}\n"
        "@@calzion instance blog\n1\n");
    REQUIRE(records.size() == 2);
    CHECK(records[0].instance == "shop");
    CHECK(records[0].revision == 4);
    CHECK(records[0].user == "ann");
    CHECK(records[0].status == "failed");
    CHECK(records[1].instance == "blog");
    CHECK(records[1].time.empty());
}
