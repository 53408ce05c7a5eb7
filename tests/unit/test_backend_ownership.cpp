#include <doctest/doctest.h>

#include "backend/ownership.hpp"
#include "util/error.hpp"

using namespace calzion;

namespace {

plan::Workload container(const std::string& name, const std::string& state_dir) {
    plan::Workload c;
    c.name = name;
    c.service = "web";
    c.state_dir = state_dir;
    return c;
}

std::string refusal(const state::HostState& recorded, const plan::Observed& observed) {
    try {
        backend::check_owner(observed, recorded, "app", "host1");
    } catch (const Error& error) {
        CHECK(error.kind() == ErrorKind::permission);
        return error.message();
    }
    return "";
}

}  // namespace

TEST_CASE("backend::check_owner") {
    state::HostState recorded;
    recorded.state_dir = "/home/czuser/.local/state/calzion";
    plan::Observed observed;

    SUBCASE("nothing on the host, or only what this state directory owns, passes") {
        CHECK(refusal(recorded, observed).empty());
        observed.workloads = {container("app_web", recorded.state_dir)};
        observed.volumes = {{"cz_app_data", recorded.state_dir}};
        CHECK(refusal(recorded, observed).empty());
    }
    SUBCASE("a container owned by another state directory is refused, naming the owner") {
        observed.workloads = {container("app_web", "/var/lib/calzion")};
        CHECK(refusal(recorded, observed) == "instance \"app\" on host1 is owned by state directory /var/lib/calzion, not "
                                   "/home/czuser/.local/state/calzion (container app_web); use that state directory "
                                   "to change it");
    }
    SUBCASE("so is a named volume kept by another state directory after its containers went") {
        observed.volumes = {{"cz_app_data", "/var/lib/calzion"}};
        CHECK(refusal(recorded, observed) == "instance \"app\" on host1 is owned by state directory /var/lib/calzion, not "
                                   "/home/czuser/.local/state/calzion (volume cz_app_data); use that state directory "
                                   "to change it");
    }
    SUBCASE("containers from before owners were labelled: adopted only with a record of the instance") {
        observed.workloads = {container("app-web", ""), container("app-db", "")};
        CHECK(refusal(recorded, observed) ==
              "instance \"app\" on host1 has containers that name no owner (app-db, app-web) and state directory "
              "/home/czuser/.local/state/calzion has no record of it: it was deployed with another state directory; "
              "use that one to change it");
        recorded.current_revision = 2;
        CHECK(refusal(recorded, observed).empty());
    }
}
