#include <doctest/doctest.h>

#include "deploy/rollback.hpp"
#include "render/deployment_json.hpp"
#include "util/error.hpp"

using namespace calzion;

namespace {

// A history with the given revisions, "3:failed" or "2" (succeeded), and the current one.
state::History history_of(std::vector<std::string> revisions, int current) {
    state::History history;
    history.current_revision = current;
    for (const auto& item : revisions) {
        state::Revision record;
        record.revision = std::stoi(item);
        record.status = item.find(":failed") == std::string::npos ? "succeeded" : "failed";
        history.revisions.insert(history.revisions.begin(), record);
    }
    return history;
}

std::string refusal(const state::History& history, std::optional<int> to) {
    try {
        deploy::rollback_target(history, to, "shop", "host1");
    } catch (const Error& error) {
        CHECK(error.kind() == ErrorKind::usage);
        return error.message();
    }
    return "no error";
}

}  // namespace

TEST_CASE("deploy::rollback_target") {
    SUBCASE("by default, the newest succeeded revision before the current one") {
        auto history = history_of({"1", "2", "3:failed", "4"}, 4);
        CHECK(deploy::rollback_target(history, std::nullopt, "shop", "host1").revision == 2);
    }
    SUBCASE("before the current one, also when newer ones exist (a rollback made them older)") {
        auto history = history_of({"1", "2", "3"}, 2);
        CHECK(deploy::rollback_target(history, std::nullopt, "shop", "host1").revision == 1);
    }
    SUBCASE("--to any recorded revision, failed or current") {
        auto history = history_of({"1", "2:failed", "3"}, 3);
        CHECK(deploy::rollback_target(history, 2, "shop", "host1").revision == 2);
        CHECK(deploy::rollback_target(history, 3, "shop", "host1").revision == 3);
    }
    SUBCASE("a revision that is not recorded names the ones that are") {
        CHECK(refusal(history_of({"1", "2", "3", "4", "5"}, 5), 7) ==
              "instance \"shop\" has no revision 7 on host1 (it has 1-5)");
        CHECK(refusal(history_of({"1", "2", "4", "6", "7"}, 7), 3) ==
              "instance \"shop\" has no revision 3 on host1 (it has 1-2, 4, 6-7)");
    }
    SUBCASE("nothing to roll back to") {
        CHECK(refusal(history_of({}, 0), std::nullopt) ==
              "instance \"shop\" has no revisions on host1: nothing to roll back to");
        CHECK(refusal(history_of({}, 0), 1) == "instance \"shop\" has no revisions on host1: nothing to roll back to");
        CHECK(refusal(history_of({"1:failed", "2"}, 2), std::nullopt) ==
              "instance \"shop\" has no succeeded revision before revision 2 on host1: nothing to roll back to "
              "(see calzion history)");
    }
}

TEST_CASE("deploy::rename_recorded") {
    render::RenderedService service;
    service.name = "web";
    service.container = "shop-web";
    service.mounts = {{render::MountType::volume, "cz-shop-data", "/d", false},
                      {render::MountType::instance, "volumes/web/x", "/x", false},
                      {render::MountType::volume, "cz-shopping-data", "/e", false}};
    service.spec_hash = "old";
    deploy::rename_recorded(service, "shop");
    CHECK(service.container == "shop_web");
    CHECK(service.mounts[0].source == "cz_shop_data");
    CHECK(service.mounts[1].source == "volumes/web/x");
    CHECK(service.mounts[2].source == "cz-shopping-data");
    CHECK(service.spec_hash == render::spec_hash(service));
    CHECK(service.labels.at("io.calzion.spec-hash") == service.spec_hash);

    SUBCASE("a revision with today's names is left as it is") {
        render::RenderedService current = service;
        current.spec_hash = "kept";
        deploy::rename_recorded(current, "shop");
        CHECK(current.spec_hash == "kept");
    }
}
