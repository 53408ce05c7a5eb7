#include <doctest/doctest.h>

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

}  // namespace

TEST_CASE("state::parse_dump") {
    SUBCASE("a fresh host") {
        auto state = state::parse_dump(dump("", "", ""), "h");
        CHECK(state.state_dir == "/var/lib/calzion");
        CHECK(state.format == 0);
        CHECK(state.current_revision == 0);
        CHECK(state.recorded.empty());
        // What the backend's observe fragment printed is its own to read.
        CHECK(state.observer_output == "@@docker inspect\n" R"({"RepoTags":["nginx:1.25"],"Id":"sha256:abc"})" "\n");
        CHECK(state.instance_dir("shop") == "/var/lib/calzion/instances/shop");
    }
    SUBCASE("a recorded revision gives each service's fields, without the revision label") {
        std::string revision = R"({"deployment":{"services":[{"name":"web","container":"shop-web","spec_hash":"h",
            "image":"nginx:1.25","env":{"A":"1"},"labels":{"io.calzion.revision":"3","x":"y"},
            "mounts":[{"type":"volume","source":"cz-shop-data","target":"/d","read_only":false}]}]}})";
        auto state = state::parse_dump(dump("1", "3", revision), "h");
        CHECK(state.current_revision == 3);
        const auto* web = state.recorded_service("web");
        REQUIRE(web != nullptr);
        CHECK(web->spec_hash == "h");
        CHECK(web->fields.at("env") == R"({"A":"1"})");
        CHECK(web->fields.at("labels") == R"({"x":"y"})");
        CHECK(web->fields.count("spec_hash") == 0);
        CHECK(web->volumes == std::vector<std::string>{"cz-shop-data"});
    }
    SUBCASE("the names in each secret env file on the host, never values") {
        std::string text = dump("1", "", "");
        text.replace(text.find("@@calzion observed"), 0, "@@calzion secrets\nweb TOKEN KEY\nworker\n");
        auto state = state::parse_dump(text, "h");
        CHECK(state.secret_files.at("web") == std::set<std::string>{"KEY", "TOKEN"});
        CHECK(state.secret_files.at("worker").empty());
        CHECK(state.secret_files.size() == 2);
    }
    SUBCASE("the services whose init has run, one marker each") {
        std::string text = dump("1", "", "");
        text.replace(text.find("@@calzion observed"), 0, "@@calzion init\ndb\nqueue\n");
        auto state = state::parse_dump(text, "h");
        CHECK(state.init_done == std::set<std::string>{"db", "queue"});
        CHECK(state::parse_dump(dump("1", "", ""), "h").init_done.empty());
    }
    SUBCASE("a newer state format is refused, never overwritten") {
        try {
            state::parse_dump(dump("2", "", ""), "h");
            FAIL("expected an error");
        } catch (const Error& error) {
            CHECK(error.kind() == ErrorKind::invalid_data);
            CHECK(error.message() ==
                  "the state in \"/var/lib/calzion\" has format 2, newer than this calzion's (1): upgrade calzion");
        }
    }
    SUBCASE("an answer cut short is an operation failure") {
        try {
            state::parse_dump("@@calzion state_dir\n/x\n@@calzion observed\n", "h");
            FAIL("expected an error");
        } catch (const Error& error) {
            CHECK(error.kind() == ErrorKind::operation_failed);
            CHECK(error.message() == "the host's state could not be read");
        }
    }
    SUBCASE("an unreadable revision is invalid data") {
        CHECK_THROWS_AS(state::parse_dump(dump("1", "2", "{broken"), "h"), Error);
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
