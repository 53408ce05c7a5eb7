#include <doctest/doctest.h>

#include "docker/volumes.hpp"

using namespace calzion;

namespace {

plan::Workload mounting(const std::string& name, std::vector<plan::VolumeMount> volumes) {
    plan::Workload c;
    c.name = name;
    c.volumes = std::move(volumes);
    return c;
}

}  // namespace

TEST_CASE("docker::volume_candidates") {
    state::HostState recorded;
    recorded.state_dir = "/var/lib/calzion";
    plan::Observed observed;

    SUBCASE("labelled volumes of this state directory, and those the instance's containers mount") {
        observed.volumes = {{"cz_app_data", "/var/lib/calzion"}, {"cz_app_odd", ""}};
        observed.workloads = {mounting("app-web", {{"cz-app-store", "/s"}, {std::string(64, 'f'), "/anon"},
                                                    {"cz_app_data", "/d"}})};
        state::RecordedService web;
        web.volumes = {"cz-app-store", "cz-app-gone"};
        recorded.recorded = {web};
        auto candidates = docker::volume_candidates(recorded, observed);
        CHECK(candidates.removable == std::vector<std::string>{"cz_app_data", "cz-app-store"});
        REQUIRE(candidates.kept.size() == 2);
        CHECK(candidates.kept[0].name == "cz_app_odd");
        CHECK(candidates.kept[0].kept_because == "labelled with the instance but with no owning state directory");
        CHECK(candidates.kept[1].name == "cz-app-gone");
        CHECK(candidates.kept[1].kept_because ==
              "not labelled with the instance, and no container of the instance mounts it");
    }
    SUBCASE("nothing known, nothing to do") { CHECK(docker::volume_candidates(recorded, observed).removable.empty()); }
}

TEST_CASE("docker::parse_settled") {
    docker::VolumeCandidates candidates{{"cz_app_data", "cz-app-store", "cz_app_new"},
                                        {{"cz-app-gone", false, "not labelled"}}};
    SUBCASE("destroy --volumes: what went, what stayed and why; absent ones are left out") {
        auto settled = docker::parse_settled(
            "removed cz_app_data\nin-use cz-app-store app_web other_db\nkept cz-app-gone\n", candidates, true);
        REQUIRE(settled.size() == 3);
        CHECK(settled[0].name == "cz_app_data");
        CHECK(settled[0].removed);
        CHECK(settled[1].name == "cz-app-store");
        CHECK_FALSE(settled[1].removed);
        CHECK(settled[1].kept_because == "in use by container app_web, other_db");
        CHECK(settled[2].kept_because == "not labelled");
    }
    SUBCASE("destroy: every volume kept, and how to remove it") {
        auto settled = docker::parse_settled("kept cz_app_data\n", candidates, false);
        REQUIRE(settled.size() == 1);
        CHECK(settled[0].kept_because == "data kept: destroy --volumes removes it");
    }
    SUBCASE("the script: how many to remove, then every name") {
        auto argv = docker::settle_volumes_argv(1, {"a", "b"});
        CHECK(std::vector<std::string>(argv.end() - 3, argv.end()) == std::vector<std::string>{"1", "a", "b"});
    }
}
