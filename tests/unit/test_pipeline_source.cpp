#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "exec/local_runner.hpp"
#include "pipeline/source.hpp"
#include "util/error.hpp"

using namespace calzion;
namespace fs = std::filesystem;

namespace {

// A work repository "work" with two commits on "main", and its bare remote
// "remote.git", in a scratch directory that is also the cache home.
class Repos {
public:
    Repos() {
        std::string pattern = (fs::temp_directory_path() / "calzion-source-XXXXXX").string();
        REQUIRE(::mkdtemp(pattern.data()) != nullptr);
        m_dir = fs::canonical(pattern);
        fs::create_directories(work());
        git(work(), {"init", "-q", "-b", "main"});
        std::ofstream(work() / "calzion.yaml") << "web: {image: local/busybox:1}\n";
        std::ofstream(work() / ".cion.yml") << "build: {image: local/busybox:1}\n";
        first = commit("first commit");
        std::ofstream(work() / "calzion.yaml") << "web: {image: local/busybox:2}\n";
        second = commit("second commit");
        git(m_dir, {"init", "-q", "--bare", "remote.git"});
        git(work(), {"push", "-q", (m_dir / "remote.git").string(), "main", "--tags"});
        m_cache = std::getenv("XDG_CACHE_HOME") ? std::getenv("XDG_CACHE_HOME") : "";
        ::setenv("XDG_CACHE_HOME", (m_dir / "cache").c_str(), 1);
    }
    ~Repos() {
        m_cache.empty() ? ::unsetenv("XDG_CACHE_HOME") : ::setenv("XDG_CACHE_HOME", m_cache.c_str(), 1);
        fs::remove_all(m_dir);
    }

    fs::path dir() const { return m_dir; }
    fs::path work() const { return m_dir / "work"; }
    std::string remote_url() const { return "file://" + (m_dir / "remote.git").string(); }

    std::string git(const fs::path& where, std::vector<std::string> words) {
        std::vector<std::string> argv = {"git", "-C", where.string(), "-c", "user.name=t", "-c", "user.email=t@t"};
        argv.insert(argv.end(), words.begin(), words.end());
        exec::Result result = m_local.run({argv, "", std::nullopt, nullptr});
        REQUIRE_MESSAGE(result.ok(), result.err);
        return result.out.substr(0, result.out.find('\n'));
    }
    std::string commit(const std::string& message) {
        git(work(), {"add", "--all"});
        git(work(), {"commit", "-q", "-m", message});
        return git(work(), {"rev-parse", "HEAD"});
    }

    exec::LocalRunner& local() { return m_local; }
    std::string first, second;

private:
    fs::path m_dir;
    std::string m_cache;
    exec::LocalRunner m_local;
};

std::string usage_message(const std::function<void()>& work) {
    try {
        work();
    } catch (const Error& error) {
        CHECK(error.kind() == ErrorKind::usage);
        return error.message();
    }
    FAIL("no error");
    return "";
}

}  // namespace

TEST_CASE("pipeline::is_remote") {
    CHECK(pipeline::is_remote("https://example.com/app.git"));
    CHECK(pipeline::is_remote("file:///srv/app.git"));
    CHECK(pipeline::is_remote("git@example.com:team/app.git"));
    CHECK_FALSE(pipeline::is_remote("/srv/app"));
    CHECK_FALSE(pipeline::is_remote("../app"));
    CHECK_FALSE(pipeline::is_remote("sub/dir:with-colon"));
}

TEST_CASE("pipeline::resolve_source") {
    Repos repos;
    std::string template_file = (repos.work() / "calzion.yaml").string();

    SUBCASE("the template's repository: a branch resolves to its commit, once") {
        auto source = pipeline::resolve_source(repos.local(), "", "main", template_file);
        CHECK(source.repository == repos.work().string());
        CHECK(source.commit.sha == repos.second);
        CHECK(source.commit.ref == "main");
        CHECK(source.commit.repo == repos.work().string());
        CHECK(source.commit.message == "second commit");
    }
    SUBCASE("an earlier commit by its id, and a file as that commit has it") {
        auto source = pipeline::resolve_source(repos.local(), "", repos.first.substr(0, 10), template_file);
        CHECK(source.commit.sha == repos.first);
        CHECK(pipeline::file_at(repos.local(), source, "calzion.yaml") == "web: {image: local/busybox:1}\n");
        CHECK(pipeline::file_at(repos.local(), source, "no-such-file") == std::nullopt);
        CHECK(pipeline::archive_argv(source) ==
              std::vector<std::string>{"git", "-C", repos.work().string(), "archive", "--format=tar", repos.first});
    }
    SUBCASE("a remote is fetched into a mirror here, and fetched again for new commits") {
        auto source = pipeline::resolve_source(repos.local(), repos.remote_url(), "main", template_file);
        CHECK(source.repository == pipeline::mirror_directory(repos.remote_url()));
        CHECK(source.repository.rfind((repos.dir() / "cache" / "calzion" / "repos").string(), 0) == 0);
        CHECK(source.commit.sha == repos.second);
        CHECK(source.commit.repo == repos.remote_url());
        std::ofstream(repos.work() / "calzion.yaml") << "web: {image: local/busybox:3}\n";
        std::string third = repos.commit("third commit");
        repos.git(repos.work(), {"push", "-q", (repos.dir() / "remote.git").string(), "main"});
        CHECK(pipeline::resolve_source(repos.local(), repos.remote_url(), "main", template_file).commit.sha == third);
    }
    SUBCASE("a pull request's head, which is no branch, is fetched by its name, and fetched again when it moves") {
        repos.git(repos.work(), {"checkout", "-q", "-b", "feature"});
        std::ofstream(repos.work() / "calzion.yaml") << "web: {image: local/busybox:7}\n";
        std::string proposed = repos.commit("proposed change");
        std::string remote = (repos.dir() / "remote.git").string();
        repos.git(repos.work(), {"push", "-q", remote, "HEAD:refs/pull/7/head"});
        auto source = pipeline::resolve_source(repos.local(), repos.remote_url(), "refs/pull/7/head", template_file);
        CHECK(source.commit.sha == proposed);
        CHECK(source.commit.ref == "refs/pull/7/head");
        CHECK(source.commit.message == "proposed change");
        CHECK(pipeline::file_at(repos.local(), source, "calzion.yaml") == "web: {image: local/busybox:7}\n");
        std::ofstream(repos.work() / "calzion.yaml") << "web: {image: local/busybox:8}\n";
        std::string amended = repos.commit("amended change");
        repos.git(repos.work(), {"push", "-q", "--force", remote, "HEAD~2:refs/pull/7/head"});
        CHECK(pipeline::resolve_source(repos.local(), repos.remote_url(), "refs/pull/7/head", template_file)
                  .commit.sha == repos.second);
        repos.git(repos.work(), {"push", "-q", "--force", remote, "HEAD:refs/pull/7/head"});
        CHECK(pipeline::resolve_source(repos.local(), repos.remote_url(), "refs/pull/7/head", template_file)
                  .commit.sha == amended);
        CHECK(pipeline::resolve_source(repos.local(), repos.remote_url(), "refs/heads/main", template_file)
                  .commit.sha == repos.second);
        CHECK(usage_message([&] {
                  pipeline::resolve_source(repos.local(), repos.remote_url(), "refs/pull/8/head", template_file);
              }) == "--ref \"refs/pull/8/head\" names no commit in \"" + repos.remote_url() + "\"");
        CHECK(usage_message([&] {
                  pipeline::resolve_source(repos.local(), repos.remote_url(), "refs/pull/*:refs/heads/x", template_file);
              }) == "--ref \"refs/pull/*:refs/heads/x\" names no commit in \"" + repos.remote_url() + "\"");
        // The template's own repository has the ref already: no fetch.
        CHECK(pipeline::resolve_source(repos.local(), "", "refs/heads/feature", template_file).commit.sha == amended);
    }
    SUBCASE("a ref that names no commit") {
        CHECK(usage_message([&] { pipeline::resolve_source(repos.local(), "", "no-such-branch", template_file); }) ==
              "--ref \"no-such-branch\" names no commit in \"" + repos.work().string() + "\"");
        CHECK(usage_message([&] { pipeline::resolve_source(repos.local(), "", "--upload-pack=x", template_file); }) ==
              "--ref must name a branch, tag or commit, not \"--upload-pack=x\"");
    }
    SUBCASE("a remote that cannot be fetched") {
        std::string url = "file://" + (repos.dir() / "nowhere.git").string();
        std::string message = usage_message([&] { pipeline::resolve_source(repos.local(), url, "main", template_file); });
        CHECK(message.rfind("cannot fetch the repository \"" + url + "\": ", 0) == 0);
    }
    SUBCASE("a template outside any repository needs --repo") {
        std::ofstream(repos.dir() / "loose.yaml") << "web: {image: x}\n";
        std::string loose = (repos.dir() / "loose.yaml").string();
        CHECK(usage_message([&] { pipeline::resolve_source(repos.local(), "", "main", loose); }) ==
              "the template \"" + loose + "\" is in no git repository: name one with --repo PATH|URL");
    }
}
