// deploy_all for a swarm instance over fake hosts: the images built from
// source reach every node (pushed to the registry, or loaded on the other
// nodes) before any service is created or updated, and a node that cannot be
// reached stops the deploy before anything changes. The workloads themselves
// go through the docker backend here: what is tested is what deploy does
// around the backend, which is the same for Swarm's.

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "deploy/deploy.hpp"
#include "exec/local_runner.hpp"
#include "fake_connector.hpp"
#include "infra/parser.hpp"
#include "template_helpers.hpp"
#include "tmpl/document.hpp"

using namespace calzion;
namespace fs = std::filesystem;

namespace {

const char* k_template = R"(
services:
  web: {image: "nginx:1.27"}
  app: {git: ., cmd: serve}
)";

// A git repository with one commit, what "app" is built from; removed afterwards.
class Repository {
public:
    Repository() {
        std::string pattern = (fs::temp_directory_path() / "calzion-swarm-XXXXXX").string();
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        m_dir = fs::canonical(pattern);
        git({"init", "-q"});
        std::ofstream(m_dir / "Dockerfile") << "FROM local/busybox:1\n";
        git({"add", "--all"});
        git({"commit", "-q", "-m", "first"});
        commit = git({"rev-parse", "HEAD"});
    }
    ~Repository() { fs::remove_all(m_dir); }

    images::Recipe recipe() const {
        images::Recipe recipe;
        recipe.service = "app";
        recipe.repository = m_dir.string();
        recipe.commit = commit;
        recipe.tree = commit;
        recipe.tag = commit.substr(0, 12);
        return recipe;
    }

    std::string commit;

private:
    std::string git(std::vector<std::string> words) {
        std::vector<std::string> argv = {"git", "-C", m_dir.string(), "-c", "user.name=t", "-c", "user.email=t@t"};
        argv.insert(argv.end(), words.begin(), words.end());
        exec::Result result = m_local.run({argv, "", std::nullopt, nullptr});
        REQUIRE_MESSAGE(result.ok(), result.err);
        return result.out.substr(0, result.out.find('\n'));
    }

    fs::path m_dir;
    exec::LocalRunner m_local;
};

bool is_lock(const std::vector<std::string>& argv) {
    return argv.size() > 2 && argv[2].find("calzion_lock \"$d/instances/") != std::string::npos;
}

// The read without a lock (plan, a dry run).
bool is_read(const std::vector<std::string>& argv) {
    return argv.size() > 2 && argv[2].find("calzion_dump \"$d\"") != std::string::npos;
}

bool is_record(const std::vector<std::string>& argv) {
    return argv.size() > 2 && argv[2].find("revisions/$rev.json") != std::string::npos;
}

// What the lock script prints once it holds the lock: the instance not
// deployed yet, nothing running, and the manager's engine holding `images`.
std::string dump(const std::vector<std::string>& images) {
    std::string inspect;
    for (const auto& image : images) {
        inspect += R"({"RepoTags":[")" + image + R"("],"Id":"sha256:built"})" + "\n";
    }
    return "@@calzion state_dir\n/srv/calzion\n@@calzion format\n@@calzion current\n\n"
           "@@calzion revision\n@@calzion lock\n@@calzion secrets\n@@calzion secrets-applied\n@@calzion init\n"
           "@@calzion observed\n@@docker inspect\n" +
           inspect + "@@docker volumes\n@@calzion end\n";
}

// A swarm of node1 (the manager), node2 and node3.
struct Swarm {
    std::shared_ptr<test::FakeConnector> connector = std::make_shared<test::FakeConnector>();
    std::ostringstream log;
    events::LineReporter reporter{log, false};
    Repository repository;
    std::string tag = repository.commit.substr(0, 12);

    deploy::DeployRequest request(const std::string& registry, const std::vector<std::string>& on_manager = {}) {
        connector->host("node1").on(is_lock, {0, "", "@@calzion locked\n" + dump(on_manager), ""});
        connector->host("node1").on(is_read, {0, "", dump(on_manager), ""});
        connector->host("node1").on_prefix({"docker", "save"}, {0, "", "IMAGE TAR", ""});
        deploy::DeployRequest request;
        request.source = testing::source_of(k_template);
        request.render.instance = "shop";
        request.render.swarm = render::SwarmOptions{};
        request.render.swarm->registry = registry;
        request.render.commits = {{"app", tag}};
        request.builds = {{"app", repository.recipe()}};
        request.targets.hosts = {"node1"};
        request.targets.connector = connector;
        request.swarm_nodes = {"node2", "node3"};
        return request;
    }

    std::vector<std::string> lines(const std::string& host) { return connector->host(host).lines(); }

    // The index of the first command on `host` that starts with `prefix`; -1 when none does.
    long first(const std::string& host, const std::string& prefix) {
        auto all = lines(host);
        auto found = std::find_if(all.begin(), all.end(), [&](const std::string& line) { return line.rfind(prefix, 0) == 0; });
        return found == all.end() ? -1 : static_cast<long>(found - all.begin());
    }

    // The index of the first command on `host` that creates a service; -1 when none does.
    long first_service(const std::string& host) {
        auto commands = connector->host(host).commands();
        auto found = std::find_if(commands.begin(), commands.end(), [](const exec::Command& command) {
            return std::find(command.argv.begin(), command.argv.end(), "--name") != command.argv.end();
        });
        return found == commands.end() ? -1 : static_cast<long>(found - commands.begin());
    }

    bool recorded(const std::string& host) {
        auto commands = connector->host(host).commands();
        return std::any_of(commands.begin(), commands.end(),
                           [](const exec::Command& command) { return is_record(command.argv); });
    }
};

}  // namespace

TEST_CASE("deploy::deploy_all for a swarm instance: images built from source reach every node") {
    Swarm swarm;

    SUBCASE("with a registry: built on the manager, pushed from there before any service is created") {
        std::string image = "10.0.0.1:5000/shop_app:" + swarm.tag;
        auto outcomes = deploy::deploy_all(swarm.request("10.0.0.1:5000"), swarm.reporter);
        REQUIRE(outcomes.size() == 1);
        CHECK_FALSE(outcomes[0].error);
        long build = swarm.first("node1", "docker build --force-rm --tag " + image + " -");
        long push = swarm.first("node1", "docker push " + image);
        long run = swarm.first_service("node1");
        CHECK(build >= 0);
        CHECK(push > build);
        CHECK(run > push);
        CHECK(swarm.lines("node1").at(static_cast<size_t>(push)) == "docker push " + image);
        CHECK(swarm.first("node1", "docker push nginx") == -1);  // not built: pulled by each node
        CHECK(swarm.connector->connections("node2") == 0);
        CHECK(swarm.connector->connections("node3") == 0);
        CHECK(swarm.log.str().find("node1 app: pushed " + image + "\n") != std::string::npos);
        CHECK(swarm.recorded("node1"));
    }
    SUBCASE("without a registry: docker save on the manager into docker load on each other node lacking it") {
        std::string image = "shop_app:" + swarm.tag;
        swarm.connector->host("node2").on_prefix({"docker", "image", "inspect"}, {1, "", "", "Error: No such image\n"});
        auto outcomes = deploy::deploy_all(swarm.request(""), swarm.reporter);
        REQUIRE(outcomes.size() == 1);
        CHECK_FALSE(outcomes[0].error);
        CHECK(swarm.lines("node2") ==
              std::vector<std::string>{"docker image inspect --format {{.Id}} " + image, "docker load"});
        CHECK(swarm.connector->host("node2").commands().back().input == "IMAGE TAR");
        CHECK(swarm.lines("node3") == std::vector<std::string>{"docker image inspect --format {{.Id}} " + image});
        long build = swarm.first("node1", "docker build");
        long save = swarm.first("node1", "docker save " + image);
        CHECK(build >= 0);
        CHECK(save > build);
        CHECK(swarm.first_service("node1") > save);
        CHECK(swarm.first("node1", "docker push") == -1);
        CHECK(swarm.log.str().find("node2 app: load " + image + " from node1 (docker save | docker load)\n") !=
              std::string::npos);
        CHECK(swarm.log.str().find("node2 app: loaded " + image + "\n") != std::string::npos);
    }
    SUBCASE("an image the manager has already is not built again, and still reaches the nodes") {
        std::string image = "shop_app:" + swarm.tag;
        swarm.connector->host("node3").on_prefix({"docker", "image", "inspect"}, {1, "", "", "Error: No such image\n"});
        auto outcomes = deploy::deploy_all(swarm.request("", {image}), swarm.reporter);
        CHECK_FALSE(outcomes.at(0).error);
        CHECK(swarm.first("node1", "docker build") == -1);
        CHECK(swarm.lines("node3").back() == "docker load");
    }
    SUBCASE("a node that cannot be reached fails the deploy before anything changes, naming it") {
        swarm.connector->refuse("node3", Error(ErrorKind::unreachable, "cannot connect: no route to host"));
        auto outcomes = deploy::deploy_all(swarm.request(""), swarm.reporter);
        REQUIRE(outcomes.size() == 1);
        REQUIRE(outcomes[0].error);
        CHECK(outcomes[0].error->kind() == ErrorKind::unreachable);
        CHECK(outcomes[0].error->host() == "node1");
        CHECK(outcomes[0].error->message() ==
              "swarm node \"node3\" cannot be reached to load the images built from source there: cannot connect: no "
              "route to host; nothing was changed");
        CHECK(swarm.first("node1", "docker") == -1);  // no build, no save
        CHECK(swarm.first_service("node1") == -1);
        CHECK_FALSE(swarm.recorded("node1"));
        CHECK(swarm.lines("node2").empty());
    }
    SUBCASE("a node whose load fails: the deploy fails there, before any service is created") {
        swarm.connector->host("node2").on_prefix({"docker", "image", "inspect"}, {1, "", "", "Error: No such image\n"});
        swarm.connector->host("node2").on_prefix({"docker", "load"}, {1, "", "", "no space left on device\n"});
        auto outcomes = deploy::deploy_all(swarm.request(""), swarm.reporter);
        REQUIRE(outcomes.at(0).error);
        CHECK(outcomes[0].error->kind() == ErrorKind::operation_failed);
        CHECK(outcomes[0].error->message() == "service \"app\": loading shop_app:" + swarm.tag +
                                                  " on node \"node2\": docker load failed (exit 1); its last lines:\n"
                                                  "no space left on device");
        CHECK(swarm.first_service("node1") == -1);
        CHECK_FALSE(swarm.recorded("node1"));
    }
    SUBCASE("nothing to send: the other nodes are not reached") {
        swarm.connector->refuse("node3", Error(ErrorKind::unreachable, "cannot connect: no route to host"));
        deploy::DeployRequest request = swarm.request("");
        request.source = testing::source_of("services:\n  web: {image: \"nginx:1.27\"}\n");
        request.builds.clear();
        request.render.commits.clear();
        auto outcomes = deploy::deploy_all(request, swarm.reporter);
        CHECK_FALSE(outcomes.at(0).error);
        CHECK(swarm.connector->connections("node3") == 0);
    }
    SUBCASE("a dry run reaches no other node and prints what each would run") {
        swarm.connector->refuse("node3", Error(ErrorKind::unreachable, "cannot connect: no route to host"));
        std::ostringstream printed;
        deploy::DeployRequest request = swarm.request("");
        request.dry_run = &printed;
        auto outcomes = deploy::deploy_all(request, swarm.reporter);
        CHECK_FALSE(outcomes.at(0).error);
        std::string image = "shop_app:" + swarm.tag;
        CHECK(printed.str().find("node1: docker save " + image + "\nnode2: docker load\nnode1: docker save " + image +
                                 "\nnode3: docker load\n") != std::string::npos);
        CHECK(swarm.connector->connections("node2") == 0);
        CHECK(swarm.connector->connections("node3") == 0);
    }
}

TEST_CASE("deploy::swarm_options: what render needs of a swarm instance") {
    const std::string yaml = R"(hosts:
  node1: deploy@10.0.0.1
  node2: deploy@10.0.0.2
registry: 10.0.0.1:5000
instances:
  big:
    backend: swarm
    manager: node1
    hosts: [node2]
    scale: {web: 6}
    place: {db: node2, web: {labels: {zone: east, disk: ssd}}}
    publish_mode: host
)";
    Diagnostics diagnostics(yaml);
    infra::Infrastructure infrastructure = infra::parse(tmpl::load_document("infra.yaml", yaml), diagnostics);
    REQUIRE(diagnostics.empty());
    render::SwarmOptions swarm = deploy::swarm_options(infrastructure, *infrastructure.instance("big"));
    CHECK(swarm.replicas == std::map<std::string, int>{{"web", 6}});
    CHECK(swarm.constraints == std::map<std::string, std::vector<std::string>>{
                                   {"db", {"node.hostname==node2"}},
                                   {"web", {"node.labels.disk==ssd", "node.labels.zone==east"}}});
    CHECK(swarm.endpoint_mode == "");
    CHECK(swarm.publish_mode == "host");
    CHECK(swarm.registry == "10.0.0.1:5000");
}
