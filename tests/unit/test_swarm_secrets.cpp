#include <doctest/doctest.h>

#include "fake_runner.hpp"
#include "swarm/destroy.hpp"
#include "swarm/prepare.hpp"
#include "swarm/secrets.hpp"
#include "util/error.hpp"

using namespace calzion;

TEST_CASE("swarm::secret_name: one Swarm secret per value") {
    CHECK(swarm::secret_name("try1", "TOKEN", "s3cret-one") == "try1_TOKEN_2ed45968");
    CHECK(swarm::secret_name("try1", "TOKEN", "s3cret-two") != swarm::secret_name("try1", "TOKEN", "s3cret-one"));
    CHECK(swarm::secret_name("shop", "DB_PASSWORD", "") == "shop_DB_PASSWORD_e3b0c442");
}

TEST_CASE("swarm::secret_values: the env file deploy hands a backend") {
    CHECK(swarm::secret_values("A=1\nB=x=y '$(z)'\nC=\n") ==
          std::map<std::string, std::string>{{"A", "1"}, {"B", "x=y '$(z)'"}, {"C", ""}});
}

TEST_CASE("swarm::prepare_command: secret values only on stdin") {
    swarm::Preparation preparation{"cz-shop", "shop", "/var/lib/calzion", {"cz_shop_data"},
                                   {{"shop_TOKEN_2ed45968", "s3cret $(rm -rf /)"}, {"shop_KEY_e3b0c442", ""}}};
    exec::Command command = swarm::prepare_command(preparation);
    REQUIRE(command.argv.size() == 4 + 4 + 1 + 2);
    CHECK(std::vector<std::string>(command.argv.begin() + 4, command.argv.end()) ==
          std::vector<std::string>{"cz-shop", "shop", "/var/lib/calzion", "1", "cz_shop_data", "shop_TOKEN_2ed45968",
                                   "shop_KEY_e3b0c442"});
    CHECK(command.input == "s3cret $(rm -rf /)\n\n");
    for (const auto& word : command.argv) {
        CHECK(word.find("s3cret") == std::string::npos);
    }
    CHECK(command.argv[2].find("docker network create --driver overlay --attachable") != std::string::npos);
    CHECK(command.argv[2].find("exit \"$calzion_denied\"") != std::string::npos);
}

TEST_CASE("swarm destroy commands") {
    auto remove = swarm::remove_services_argv({"shop_web", "shop_db"});
    CHECK(std::vector<std::string>(remove.begin() + 3, remove.end()) ==
          std::vector<std::string>{"calzion", "60", "shop_web", "shop_db"});
    auto clean = swarm::clean_up_argv("shop", "/var/lib/calzion/instances/shop");
    CHECK(std::vector<std::string>(clean.begin() + 3, clean.end()) ==
          std::vector<std::string>{"calzion", "shop", "/var/lib/calzion/instances/shop", "swarm-versions"});
    auto prune = swarm::prune_secrets_argv("shop");
    CHECK(std::vector<std::string>(prune.begin() + 3, prune.end()) == std::vector<std::string>{"calzion", "shop"});
}

TEST_CASE("swarm::kept_on_other_nodes") {
    std::vector<backend::NamedVolume> settled = {{"cz_shop_data", true, ""},
                                                 {"cz_shop_logs", false, "in use by container x"}};
    SUBCASE("a one-node swarm: as the manager says") {
        auto volumes = swarm::kept_on_other_nodes(settled, {"cz_shop_data", "cz_shop_logs"}, {});
        CHECK(volumes.size() == 2);
        CHECK(volumes[0].removed);
    }
    SUBCASE("other nodes: none counts as removed, each says where it may be left") {
        auto volumes = swarm::kept_on_other_nodes(settled, {"cz_shop_data", "cz_shop_cache"}, {"node2", "node3"});
        REQUIRE(volumes.size() == 3);
        CHECK_FALSE(volumes[0].removed);
        CHECK(volumes[0].kept_because ==
              "removed on the manager; it may remain on the swarm's other nodes (node2, node3), which calzion does "
              "not reach: docker volume rm cz_shop_data there");
        CHECK(volumes[1].kept_because ==
              "in use by container x; it may remain on the swarm's other nodes (node2, node3), which calzion does not "
              "reach: docker volume rm cz_shop_logs there");
        CHECK(volumes[2].name == "cz_shop_cache");
        CHECK(volumes[2].kept_because ==
              "not on the manager; it may remain on the swarm's other nodes (node2, node3), which calzion does not "
              "reach: docker volume rm cz_shop_cache there");
    }
}

TEST_CASE("swarm::settle_volumes asks the manager, then for the other nodes") {
    test::FakeRunner runner("manager");
    state::HostState recorded;
    recorded.state_dir = "/var/lib/calzion";
    plan::Observed observed;
    observed.volumes = {{"cz_shop_data", "/var/lib/calzion"}};
    runner.on([](const auto& argv) { return argv.size() > 2 && argv[0] == "sh"; },
              exec::Result{0, "", "removed cz_shop_data\n", ""});
    runner.on_prefix({"docker", "node", "ls"}, exec::Result{0, "", "host1 self\nhost2 \n", ""});
    auto volumes = swarm::settle_volumes(runner, recorded, observed, true);
    REQUIRE(volumes.size() == 1);
    CHECK_FALSE(volumes[0].removed);
    CHECK(volumes[0].kept_because.find("(host2)") != std::string::npos);
    CHECK(runner.lines().back() == "docker node ls --format {{.Hostname}} {{if .Self}}self{{end}}");
    // Kept (destroy without --volumes): no need to ask about nodes.
    test::FakeRunner keeping("manager");
    keeping.on([](const auto&) { return true; }, exec::Result{0, "", "kept cz_shop_data\n", ""});
    CHECK(swarm::settle_volumes(keeping, recorded, observed, false).size() == 1);
    CHECK(keeping.commands().size() == 1);
}
