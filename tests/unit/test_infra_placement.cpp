#include "infra/placement.hpp"

#include <doctest/doctest.h>

using namespace calzion;

namespace {

infra::Instance instance_on(std::vector<std::string> hosts, std::map<std::string, std::string> place = {}) {
    infra::Instance instance;
    instance.name = "shop";
    instance.hosts = std::move(hosts);
    instance.place = std::move(place);
    return instance;
}

}  // namespace

TEST_CASE("infra::place") {
    std::vector<std::string> services = {"postgres", "redis", "web", "worker"};

    SUBCASE("explicit place wins, the rest spread evenly") {
        auto placed = infra::place(services, instance_on({"web1", "db1"}, {{"postgres", "db1"}}), {});
        CHECK(placed.at("postgres") == "db1");
        std::map<std::string, int> load;
        for (const auto& [service, host] : placed) {
            ++load[host];
        }
        CHECK(placed.size() == 4);
        CHECK(load["web1"] == 2);
        CHECK(load["db1"] == 2);
    }

    SUBCASE("the same inputs give the same placement") {
        auto instance = instance_on({"a", "b", "c"});
        CHECK(infra::place(services, instance, {}) == infra::place(services, instance, {}));
    }

    SUBCASE("a placed service never moves by itself") {
        auto instance = instance_on({"a", "b"});
        auto first = infra::place(services, instance, {});
        std::map<std::string, std::vector<std::string>> current;
        for (const auto& [service, host] : first) {
            current[service] = {host};
        }
        // A third host and a new service: nothing already placed moves.
        auto bigger = instance_on({"a", "b", "c"});
        auto more = services;
        more.push_back("mailer");
        auto second = infra::place(more, bigger, current);
        for (const auto& [service, host] : first) {
            CHECK(second.at(service) == host);
        }
        CHECK(second.at("mailer") == "c");  // the least loaded
    }

    SUBCASE("changing place moves a service; a host the instance left is left") {
        std::map<std::string, std::vector<std::string>> current = {{"postgres", {"a"}}, {"redis", {"gone"}}};
        auto placed = infra::place(services, instance_on({"a", "b"}, {{"postgres", "b"}}), current);
        CHECK(placed.at("postgres") == "b");
        CHECK(placed.at("redis") != "gone");
    }
}
