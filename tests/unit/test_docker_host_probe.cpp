// `hosts check`'s look at a host: the parsers, and the script run for real by sh
// on this machine, with `docker` stood in for by a script.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include "deploy/hosts_check.hpp"
#include "exec/local_runner.hpp"
#include "docker/host_probe.hpp"
#include "util/error.hpp"

using namespace calzion;
namespace fs = std::filesystem;

namespace {

const char* k_docker_json =
    R"({"Client":{"Version":"24.0.7","ApiVersion":"1.43"},"Server":{"Version":"24.0.5","ApiVersion":"1.43"}})";

std::string probe_output(const std::string& docker, int docker_exit, const std::string& state) {
    return "@@calzion user\ndeploy\n@@calzion docker\n" + docker + "\n@@calzion docker_exit\n" +
           std::to_string(docker_exit) + "\n@@calzion state_dir\n/srv/cz\n@@calzion state\n" + state +
           "@@calzion format\n1\n@@calzion df\n"
           "Filesystem     1024-blocks     Used Available Capacity Mounted on\n"
           "/dev/vda         264212084 20739276  79597912      21% /\n@@calzion end\n";
}

// A state directory and a stand-in docker that prints `docker_script`'s output.
struct Sandbox {
    fs::path root;

    explicit Sandbox(const std::string& docker_script) {
        root = fs::temp_directory_path() / ("calzion-probe-test-" + std::to_string(::getpid()));
        fs::remove_all(root);
        fs::create_directories(root / "bin");
        std::ofstream(root / "bin" / "docker") << "#!/bin/sh\n" << docker_script;
        fs::permissions(root / "bin" / "docker", fs::perms::owner_all);
        m_path = std::getenv("PATH");
        std::string path = (root / "bin").string() + ":" + m_path;
        ::setenv("PATH", path.c_str(), 1);
    }
    ~Sandbox() {
        ::setenv("PATH", m_path.c_str(), 1);
        fs::remove_all(root);
    }

private:
    std::string m_path;
};

docker::HostProbe probe_for_real(const std::string& state_dir) {
    exec::LocalRunner runner;
    exec::Result result = runner.run({docker::probe_argv(state_dir), "", std::nullopt, nullptr});
    REQUIRE(result.ok());
    return docker::parse_probe(result.out);
}

}  // namespace

TEST_CASE("docker::parse_probe") {
    SUBCASE("a fit host") {
        auto probe = docker::parse_probe(probe_output(k_docker_json, 0, "exists=yes\nwritable=yes\n"));
        CHECK(probe.user == "deploy");
        CHECK(probe.docker_exit == 0);
        CHECK(probe.docker.client == "24.0.7");
        CHECK(probe.docker.server == "24.0.5");
        CHECK(probe.docker.server_api == "1.43");
        CHECK(probe.docker_output.empty());
        CHECK(probe.state_dir == "/srv/cz");
        CHECK(probe.state_dir_exists);
        CHECK(probe.state_dir_writable);
        CHECK(probe.format == 1);
        CHECK(probe.free_bytes == 79597912LL * 1024);
        CHECK(deploy::problems_in(probe).empty());
    }
    SUBCASE("an engine that does not answer, a state dir that cannot be written") {
        auto probe = docker::parse_probe(probe_output(
            R"({"Client":{"Version":"24.0.7"},"Server":null})"
            "\npermission denied while trying to connect to the Docker daemon socket",
            1, "exists=yes\nwritable=no\n"));
        CHECK(probe.docker.client == "24.0.7");
        CHECK(probe.docker.server.empty());
        CHECK(probe.docker_output == "permission denied while trying to connect to the Docker daemon socket");
        auto problems = deploy::problems_in(probe);
        REQUIRE(problems.size() == 2);
        CHECK(problems[0].message() ==
              "the docker engine does not answer: permission denied while trying to connect to the Docker daemon "
              "socket");
        CHECK(problems[1].message() == "state directory \"/srv/cz\" is not writable by \"deploy\"");
        CHECK(problems[1].kind() == ErrorKind::permission);  // as deploy says for it
    }
    SUBCASE("no docker at all; a state dir that cannot be created") {
        auto probe = docker::parse_probe(probe_output("sh: 1: docker: not found", 127, "exists=no\nwritable=no\n"));
        auto problems = deploy::problems_in(probe);
        REQUIRE(problems.size() == 2);
        CHECK(problems[0].message() == "docker is not installed (or not on the PATH of \"deploy\")");
        CHECK(problems[1].message() == "state directory \"/srv/cz\" cannot be created by \"deploy\"");
    }
    SUBCASE("a state format newer than this calzion's") {
        std::string output = probe_output(k_docker_json, 0, "exists=yes\nwritable=yes\n");
        output.replace(output.find("format\n1"), 8, "format\n9");
        auto problems = deploy::problems_in(docker::parse_probe(output));
        REQUIRE(problems.size() == 1);
        CHECK(problems[0].kind() == ErrorKind::invalid_data);
        CHECK(problems[0].message() == "the state in \"/srv/cz\" has format 9, newer than this calzion's (1): "
                                       "upgrade calzion");
    }
    SUBCASE("cut short") {
        CHECK_THROWS_WITH_AS(docker::parse_probe("@@calzion user\nroot\n"), "the host's answer was cut short", Error);
    }
}

TEST_CASE("docker::parse_df_available") {
    CHECK(docker::parse_df_available("Filesystem 1024-blocks Used Available Capacity Mounted on\n"
                                    "map auto_home 0 0 0 100% /home\n") == 0LL);
    CHECK(docker::parse_df_available("Filesystem 1024-blocks Used Available Capacity Mounted on\n"
                                    "/dev/sda1 1000 10 990 1% /mnt/my disk\n") == 990LL * 1024);
    CHECK_FALSE(docker::parse_df_available("").has_value());
    CHECK_FALSE(docker::parse_df_available("Filesystem 1024-blocks Used Available Capacity Mounted on\n"
                                          "none 0 0 0 - /proc\n")
                    .has_value());
}

TEST_CASE("docker::probe_argv run for real") {
    Sandbox sandbox(std::string("echo '") + k_docker_json + "'\n");
    fs::path state = sandbox.root / "state";

    SUBCASE("a state dir that does not exist yet is judged by its parent and not created") {
        auto probe = probe_for_real(state.string());
        CHECK(probe.state_dir == state.string());
        CHECK_FALSE(probe.state_dir_exists);
        CHECK(probe.state_dir_writable);
        CHECK_FALSE(fs::exists(state));
        CHECK(probe.docker.server == "24.0.5");
        CHECK(probe.docker_exit == 0);
        CHECK(probe.free_bytes.has_value());
    }
    SUBCASE("an existing one is written to for real, and left as it was") {
        fs::create_directories(state / "instances");
        std::ofstream(state / "format") << "1\n";
        auto probe = probe_for_real(state.string());
        CHECK(probe.state_dir_exists);
        CHECK(probe.state_dir_writable);
        CHECK(probe.format == 1);
        CHECK(std::distance(fs::directory_iterator(state), fs::directory_iterator()) == 2);
        CHECK(fs::is_empty(state / "instances"));
    }
}

TEST_CASE("docker::probe_argv with an engine that does not answer") {
    Sandbox sandbox("echo '{\"Client\":{\"Version\":\"1.0\"},\"Server\":null}'\necho 'cannot connect' >&2\nexit 1\n");
    auto probe = probe_for_real((sandbox.root / "state").string());
    CHECK(probe.docker_exit == 1);
    CHECK(probe.docker.client == "1.0");
    CHECK(probe.docker_output == "cannot connect");
}
