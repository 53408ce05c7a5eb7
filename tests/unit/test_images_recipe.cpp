#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "images/recipe.hpp"
#include "exec/local_runner.hpp"
#include "util/error.hpp"

using namespace calzion;
namespace fs = std::filesystem;

namespace {

// A scratch directory with a git repository "app" in it, removed afterwards.
class Scratch {
public:
    Scratch() {
        std::string pattern = (fs::temp_directory_path() / "calzion-recipe-XXXXXX").string();
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        m_dir = fs::canonical(pattern);
        fs::create_directories(repo() / "web");
        fs::create_directories(repo() / "other");
        git({"init", "-q"});
        write("web/Dockerfile", "FROM local/busybox:1\n");
        write("web/index.html", "one\n");
        write("other/notes.txt", "notes\n");
        commit("first");
    }
    ~Scratch() { fs::remove_all(m_dir); }

    fs::path dir() const { return m_dir; }
    fs::path repo() const { return m_dir / "app"; }
    std::string template_file() const { return (m_dir / "calzion.yaml").string(); }

    void write(const std::string& path, const std::string& text) { std::ofstream(repo() / path) << text; }

    std::string git(std::vector<std::string> words) {
        std::vector<std::string> argv = {"git", "-C", repo().string(), "-c", "user.name=t", "-c", "user.email=t@t"};
        argv.insert(argv.end(), words.begin(), words.end());
        exec::Result result = m_local.run({argv, "", std::nullopt, nullptr});
        REQUIRE_MESSAGE(result.ok(), result.err);
        return result.out.substr(0, result.out.find('\n'));
    }
    std::string commit(const std::string& message) {
        git({"add", "--all"});
        git({"commit", "-q", "-m", message});
        return git({"rev-parse", "HEAD"});
    }

    exec::LocalRunner& local() { return m_local; }

private:
    fs::path m_dir;
    exec::LocalRunner m_local;
};

render::Deployment one_service(std::optional<std::string> git, std::optional<tmpl::Build> build) {
    render::RenderedService service;
    service.name = "web";
    service.git = std::move(git);
    service.build = std::move(build);
    render::Deployment deployment;
    deployment.services = {service};
    return deployment;
}

tmpl::Build context(const std::string& path) {
    tmpl::Build build;
    build.context = path;
    return build;
}

}  // namespace

TEST_CASE("images::resolve") {
    Scratch scratch;
    std::string head = scratch.git({"rev-parse", "HEAD"});
    auto resolve = [&](const render::Deployment& deployment, bool allow_dirty = false) {
        return images::resolve(scratch.local(), deployment, scratch.template_file(), {allow_dirty, std::nullopt});
    };

    SUBCASE("git: the repository at its HEAD, relative to the template") {
        auto recipes = resolve(one_service("app", std::nullopt));
        REQUIRE(recipes.size() == 1);
        const images::Recipe& recipe = recipes.at("web");
        CHECK(recipe.service == "web");
        CHECK(recipe.repository == scratch.repo().string());
        CHECK(recipe.context == "");
        CHECK(recipe.commit == head);
        CHECK(recipe.tree == head);
        CHECK(recipe.tag == head.substr(0, 12));
        CHECK_FALSE(recipe.dirty);
        CHECK(images::tags_of(recipes) == std::map<std::string, std::string>{{"web", head.substr(0, 12)}});
    }
    SUBCASE("build: a context inside a repository is its subtree; the settings come along") {
        tmpl::Build build = context("app/web");
        build.dockerfile = "Dockerfile";
        build.args = {{"V", "1"}};
        build.target = "runtime";
        const images::Recipe recipe = resolve(one_service(std::nullopt, build)).at("web");
        CHECK(recipe.repository == scratch.repo().string());
        CHECK(recipe.context == "web/");
        CHECK(recipe.tree == head + ":web/");
        CHECK(recipe.dockerfile == "Dockerfile");
        CHECK(recipe.args == std::map<std::string, std::string>{{"V", "1"}});
        CHECK(recipe.target == "runtime");
    }
    SUBCASE("git and build: the context is relative to the git path") {
        const images::Recipe recipe = resolve(one_service("app", context("web"))).at("web");
        CHECK(recipe.context == "web/");
        CHECK(recipe.tag == head.substr(0, 12));
    }
    SUBCASE("services without git or build have no recipe") {
        render::Deployment deployment = one_service(std::nullopt, std::nullopt);
        deployment.services[0].image = "redis:7";
        CHECK(resolve(deployment).empty());
    }
    SUBCASE("a new commit is a new tag") {
        scratch.write("web/index.html", "two\n");
        std::string second = scratch.commit("second");
        CHECK(resolve(one_service("app", std::nullopt)).at("web").tag == second.substr(0, 12));
    }
    SUBCASE("uncommitted changes in the context are refused, naming the repository and --allow-dirty") {
        scratch.write("web/index.html", "changed\n");
        try {
            resolve(one_service("app", context("web")));
            FAIL("no error");
        } catch (const Error& error) {
            CHECK(error.kind() == ErrorKind::usage);
            CHECK(error.message() == "service \"web\": the git repository \"" + scratch.repo().string() +
                                         "\" has uncommitted changes in \"web/\" (web/index.html): commit them, or deploy with "
                                         "--allow-dirty to build the working tree as it is");
        }
    }
    SUBCASE("an untracked file makes the context dirty too") {
        scratch.write("web/new.txt", "new\n");
        CHECK_THROWS_AS(resolve(one_service("app", std::nullopt)), Error);
    }
    SUBCASE("an untracked infrastructure file and ignored files do not make the context dirty") {
        scratch.write(".gitignore", "*.log\n");
        scratch.commit("ignore logs");
        scratch.write("calzion.infra.yaml", "hosts: {}\n");
        scratch.write("web/calzion.infra.yaml", "hosts: {}\n");
        scratch.write("web/debug.log", "x\n");
        CHECK_FALSE(resolve(one_service("app", std::nullopt)).at("web").dirty);
        scratch.write("web/new.txt", "new\n");
        try {
            resolve(one_service("app", std::nullopt));
            FAIL("no error");
        } catch (const Error& error) {
            CHECK(error.message() == "service \"web\": the git repository \"" + scratch.repo().string() +
                                         "\" has uncommitted changes (web/new.txt): commit them, or deploy with "
                                         "--allow-dirty to build the working tree as it is");
        }
    }
    SUBCASE("changes outside the context do not matter") {
        scratch.write("other/notes.txt", "more notes\n");
        scratch.write("other/untracked.txt", "x\n");
        const images::Recipe recipe = resolve(one_service("app", context("web"))).at("web");
        CHECK_FALSE(recipe.dirty);
        CHECK(recipe.tag == head.substr(0, 12));
    }
    SUBCASE("--allow-dirty builds the working tree; its hash is in the tag") {
        scratch.write("web/index.html", "changed\n");
        scratch.write("web/new.txt", "new\n");
        std::string status_before = scratch.git({"status", "--porcelain"});
        const images::Recipe recipe = resolve(one_service("app", context("web")), true).at("web");
        CHECK(recipe.dirty);
        CHECK(recipe.commit == head);
        REQUIRE(recipe.tree.size() == 40);
        CHECK(recipe.tag == head.substr(0, 12) + "-dirty-" + recipe.tree.substr(0, 12));
        // The tree is the context as it is on disk, uncommitted and untracked files included.
        CHECK(scratch.git({"cat-file", "-p", recipe.tree + ":index.html"}) == "changed");
        CHECK(scratch.git({"cat-file", "-p", recipe.tree + ":new.txt"}) == "new");
        CHECK(scratch.git({"cat-file", "-p", recipe.tree + ":Dockerfile"}) == "FROM local/busybox:1");
        // The user's index and working tree are as they were; no temporary index is left.
        CHECK(scratch.git({"status", "--porcelain"}) == status_before);
        for (const auto& entry : fs::directory_iterator(scratch.repo() / ".git")) {
            CHECK(entry.path().filename().string().rfind("calzion-index", 0) != 0);
        }

        SUBCASE("the same changes give the same tag, other changes another") {
            CHECK(resolve(one_service("app", context("web")), true).at("web").tag == recipe.tag);
            scratch.write("web/new.txt", "newer\n");
            CHECK(resolve(one_service("app", context("web")), true).at("web").tag != recipe.tag);
        }
    }
    SUBCASE("--allow-dirty on a clean tree builds the commit") {
        const images::Recipe recipe = resolve(one_service("app", std::nullopt), true).at("web");
        CHECK_FALSE(recipe.dirty);
        CHECK(recipe.tag == head.substr(0, 12));
    }
    SUBCASE("a context that is not in a git repository") {
        fs::create_directories(scratch.dir() / "plain");
        try {
            resolve(one_service("plain", std::nullopt));
            FAIL("no error");
        } catch (const Error& error) {
            CHECK(error.kind() == ErrorKind::invalid_data);
            std::string start = "service \"web\": the build context \"" + (scratch.dir() / "plain").string() +
                                "\" is not a directory in a git repository: ";
            CHECK(error.message().rfind(start, 0) == 0);
        }
        CHECK_THROWS_AS(resolve(one_service("no-such-dir", std::nullopt)), Error);
    }
    SUBCASE("a repository without a commit") {
        fs::create_directories(scratch.dir() / "empty");
        exec::Result init = scratch.local().run({{"git", "-C", (scratch.dir() / "empty").string(), "init", "-q"},
                                                 "", std::nullopt, nullptr});
        REQUIRE(init.ok());
        try {
            resolve(one_service("empty", std::nullopt));
            FAIL("no error");
        } catch (const Error& error) {
            CHECK(error.kind() == ErrorKind::invalid_data);
            CHECK(error.message() == "service \"web\": the git repository \"" + (scratch.dir() / "empty").string() +
                                         "\" has no commit to build yet");
        }
    }
}

TEST_CASE("images::resolve at a commit: a pipeline job's checkout") {
    Scratch scratch;
    std::string first = scratch.git({"rev-parse", "HEAD"});
    scratch.write("web/index.html", "two\n");
    scratch.commit("second");
    scratch.write("web/index.html", "uncommitted\n");  // never looked at
    std::string template_file = (scratch.repo() / "calzion.yaml").string();
    images::ResolveOptions options{false, images::Checkout{scratch.repo().string(), first}};

    SUBCASE("the context's path from the top of the template's repository, in the commit") {
        const images::Recipe recipe =
            images::resolve(scratch.local(), one_service(".", context("web")), template_file, options).at("web");
        CHECK(recipe.repository == scratch.repo().string());
        CHECK(recipe.commit == first);
        CHECK(recipe.context == "web/");
        CHECK(recipe.tree == first + ":web/");
        CHECK(recipe.tag == first.substr(0, 12));
        CHECK_FALSE(recipe.dirty);
    }
    SUBCASE("the whole commit for the repository's top") {
        const images::Recipe recipe =
            images::resolve(scratch.local(), one_service(".", std::nullopt), template_file, options).at("web");
        CHECK(recipe.tree == first);
    }
    SUBCASE("a context the commit does not have") {
        try {
            images::resolve(scratch.local(), one_service(".", context("nowhere")), template_file, options);
            FAIL("no error");
        } catch (const Error& error) {
            CHECK(error.kind() == ErrorKind::invalid_data);
            CHECK(error.message() == "service \"web\": the build context \"nowhere\" is not in commit " +
                                         first.substr(0, 12) + " of \"" + scratch.repo().string() + "\"");
        }
    }
}
