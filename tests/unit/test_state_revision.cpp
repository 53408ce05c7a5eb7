// The one reader and the one writer of revision documents: what a host keeps
// in <state_dir>/instances/<instance>/revisions/<n>.json.
#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

#include "render/deployment_json.hpp"
#include "state/host_state.hpp"
#include "state/revision.hpp"
#include "template_helpers.hpp"
#include "util/error.hpp"

using namespace calzion;
using nlohmann::json;

namespace {

const std::string k_file = "/var/lib/calzion/instances/shop/revisions/4.json";

state::Revision small_revision() {
    render::RenderedService web;
    web.name = "web";
    web.container = "shop_web";
    web.image = "nginx:1.25";
    web.spec_hash = "h";
    web.env = {{"PORT", "80"}};
    web.mounts = {{render::MountType::instance, "volumes/web/d", "/d", true}};
    web.restart = "unless-stopped";
    web.update = render::UpdateOrder::stop_first;
    web.pull = render::PullPolicy::never;
    web.routes = {{"shop.example.test", 80}};
    state::Revision revision;
    revision.revision = 4;
    revision.time = "2026-11-22T09:14:03Z";
    revision.user = "ann";
    revision.machine = "laptop";
    revision.command = "deploy";
    revision.status = "succeeded";
    revision.template_file = "app.yaml";
    revision.template_digest = "d1";
    revision.git_commit = "c1";
    revision.changes = {"web: create"};
    revision.deployment = {"shop", "cz-shop", 4, {web}};
    return revision;
}

std::string problem_in(const std::string& text) {
    try {
        state::parse_revision(text, "host1", k_file);
    } catch (const Error& error) {
        CHECK(error.kind() == ErrorKind::invalid_data);
        return error.message();
    }
    return "no error";
}

const std::string k_unreadable =
    "the revision file \"/var/lib/calzion/instances/shop/revisions/4.json\" on \"host1\" cannot be read: ";

}  // namespace

TEST_CASE("state::revision_to_json") {
    SUBCASE("the bytes a host stores: every key sorted, the deployment's too") {
        CHECK(state::revision_to_json(small_revision()) ==
              R"({"changes":["web: create"],"command":"deploy","deployment":{"format":1,"instance":"shop",)"
              R"("network":"cz-shop","revision":4,"services":[{"after":[],"build":null,"command":null,)"
              R"("container":"shop_web","cpus":"","entrypoint":null,"env":{"PORT":"80"},"healthcheck":null,)"
              R"("image":"nginx:1.25","init":[],"labels":{},"memory":"","mounts":[{"read_only":true,)"
              R"("source":"volumes/web/d","target":"/d","type":"instance"}],"name":"web","options":[],"ports":[],)"
              R"("pull":"never","restart":"unless-stopped","routes":[{"domain":"shop.example.test","port":80}],)"
              R"("secrets":[],"spec_hash":"h","update":"stop-first","user":"","workdir":""}]},"format":1,)"
              R"("git_commit":"c1","machine":"laptop","message":"","revision":4,"status":"succeeded",)"
              R"("template":"app.yaml","template_digest":"d1","time":"2026-11-22T09:14:03Z","user":"ann"})");
    }
    SUBCASE("what it writes reads back as the same revision, byte for byte") {
        render::Deployment rendered = testing::render_yaml(
            "web: {image: nginx, cmd: serve, volumes: [/d, data:/e, /srv:/f:ro], pull: always}\n"
            "db: {image: postgres, ports: [5432], update: start-first}\n",
            "shop");
        state::Revision revision = small_revision();
        revision.deployment = rendered;
        std::string text = state::revision_to_json(revision);
        state::Revision again = state::parse_revision(text, "host1", k_file);
        CHECK(state::revision_to_json(again) == text);
        CHECK(again.user == "ann");
        CHECK(again.changes == std::vector<std::string>{"web: create"});
        CHECK(again.deployment.find("web")->pull == render::PullPolicy::always);
        CHECK(again.deployment.find("db")->update == render::UpdateOrder::start_first);
        CHECK(again.deployment.find("web")->mounts.at(1).type == render::MountType::volume);
    }
}

TEST_CASE("state::parse_revision") {
    SUBCASE("fields an older calzion did not write read as empty; services without pull or routes have none") {
        json document = json::parse(state::revision_to_json(small_revision()));
        for (const char* key : {"format", "time", "user", "machine", "command", "template", "template_digest",
                                "git_commit", "message", "changes"}) {
            document.erase(key);
        }
        document["deployment"]["services"][0].erase("pull");
        document["deployment"]["services"][0].erase("routes");
        state::Revision old = state::parse_revision(document.dump(), "host1", k_file);
        CHECK(old.revision == 4);
        CHECK(old.status == "succeeded");
        CHECK(old.user.empty());
        CHECK(old.changes.empty());
        CHECK(old.deployment.services.at(0).pull == std::nullopt);
        CHECK(old.deployment.services.at(0).routes.empty());
    }
    SUBCASE("a service lacking fields (a record written by hand) reads and writes back as it was") {
        json document = json::parse(state::revision_to_json(small_revision()));
        document["deployment"]["services"][0] = {{"name", "web"}, {"container", "shop-web"}, {"spec_hash", "old"},
                                                 {"mounts", json::array()}};
        state::Revision partial = state::parse_revision(document.dump(), "host1", k_file);
        const render::RenderedService& web = partial.deployment.services.at(0);
        CHECK(web.container == "shop-web");
        CHECK(web.spec_hash == "old");
        CHECK(web.absent.count("image") == 1);
        CHECK(web.absent.count("mounts") == 0);
        CHECK(state::revision_to_json(partial) == document.dump());
    }
    SUBCASE("a service without a name or a container is no service") {
        json document = json::parse(state::revision_to_json(small_revision()));
        document["deployment"]["services"][0].erase("container");
        CHECK(problem_in(document.dump()) ==
              k_unreadable + "invalid deployment document: \"services[0].container\" is missing");
    }
    SUBCASE("a bad document is invalid data naming the file and the host") {
        CHECK(problem_in("") == k_unreadable + "it is not a revision document");
        CHECK(problem_in("{\"revision\":3") == k_unreadable + "it is not a revision document");
        CHECK(problem_in("[]") == k_unreadable + "it is not a revision document");
        CHECK(problem_in(R"({"revision":3,"deployment":[]})") == k_unreadable + "it is not a revision document");
        json document = json::parse(state::revision_to_json(small_revision()));
        document["who"] = "ann";
        CHECK(problem_in(document.dump()) == k_unreadable + "\"who\" is not a field this calzion knows");
        document.erase("who");
        document["user"] = 7;
        CHECK(problem_in(document.dump()) == k_unreadable + "\"user\" must be a string");
        document["user"] = "ann";
        document["changes"] = {"web: create", 1};
        CHECK(problem_in(document.dump()) == k_unreadable + "\"changes\" must be a list of strings");
        document["changes"] = json::array();
        document["revision"] = -1;
        CHECK(problem_in(document.dump()) == k_unreadable + "\"revision\" must be a whole number from 0 to 1000000000");
        document["revision"] = 4;
        document["deployment"]["services"] = json::object();
        CHECK(problem_in(document.dump()) == k_unreadable + "invalid deployment document: \"services\" must be a list");
    }
}

TEST_CASE("state::runnable_deployment") {
    state::Revision revision = small_revision();
    revision.deployment = testing::render_yaml("web: {image: nginx, cmd: serve}\n", "shop");

    SUBCASE("gives back the deployment that was recorded") {
        std::string text = state::revision_to_json(revision);
        render::Deployment again = state::runnable_deployment(state::parse_revision(text, "host1", k_file));
        CHECK(render::deployment_to_json(again).dump() == render::deployment_to_json(revision.deployment).dump());
    }
    SUBCASE("one recorded before services had routes or a pull policy runs with none") {
        json document = json::parse(state::revision_to_json(revision));
        document["deployment"]["services"][0].erase("pull");
        document["deployment"]["services"][0].erase("routes");
        render::Deployment again = state::runnable_deployment(state::parse_revision(document.dump(), "h", k_file));
        CHECK(again.services.at(0).pull == std::nullopt);
    }
    SUBCASE("a service lacking a field cannot be run again, naming the revision and the field") {
        json document = json::parse(state::revision_to_json(revision));
        document["deployment"]["services"][0].erase("after");
        state::Revision partial = state::parse_revision(document.dump(), "host1", k_file);
        try {
            state::runnable_deployment(partial);
            FAIL("expected an error");
        } catch (const Error& error) {
            CHECK(error.kind() == ErrorKind::invalid_data);
            CHECK(error.message() ==
                  "revision 4 cannot be run again: invalid deployment document: \"services[0].after\" is missing");
        }
    }
}

TEST_CASE("state::actual_deployment") {
    render::Deployment before = testing::render_yaml("web: {image: nginx:1}\napi: {image: api:1}\nold: {image: o}\n",
                                                     "shop");
    render::Deployment next = testing::render_yaml("web: {image: nginx:2}\napi: {image: api:2}\nnew: {image: n}\n",
                                                   "shop");
    state::HostState observed;
    observed.revision = small_revision();
    observed.revision->deployment = before;

    // web was replaced, api was not reached, new failed to start, old is kept.
    render::Deployment actual = state::actual_deployment(next, {"web"}, {"old"}, observed);
    CHECK(actual.instance == next.instance);
    CHECK(actual.network == next.network);
    CHECK(actual.revision == next.revision);
    REQUIRE(actual.services.size() == 3);
    CHECK(actual.services[0].name == next.services[0].name);
    std::vector<std::string> images;
    for (const auto& service : actual.services) {
        images.push_back(service.name + " " + service.image);
    }
    std::sort(images.begin(), images.end());
    CHECK(images == std::vector<std::string>{"api api:1", "old o", "web nginx:2"});
    CHECK(actual.services.back().name == "old");
}
