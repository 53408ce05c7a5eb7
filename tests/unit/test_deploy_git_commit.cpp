#include <doctest/doctest.h>

#include "deploy/git_commit.hpp"
#include "fake_runner.hpp"
#include "util/error.hpp"

using namespace calzion;

namespace {

const std::string k_commit = "0123456789abcdef0123456789abcdef01234567";

bool is_rev_parse(const std::vector<std::string>& argv) { return argv.size() > 3 && argv[3] == "rev-parse"; }
bool is_status(const std::vector<std::string>& argv) { return argv.size() > 3 && argv[3] == "status"; }

// A runner whose every command throws, like a local runner whose program hangs.
class ThrowingRunner final : public exec::Runner {
public:
    exec::Result run(const exec::Command&) override { throw Error(ErrorKind::operation_failed, "timed out"); }
    std::unique_ptr<exec::Process> start(const exec::Command&) override { return nullptr; }
    const std::string& host() const override { return m_host; }

private:
    std::string m_host = "local";
};

}  // namespace

TEST_CASE("deploy::git_commit_of") {
    test::FakeRunner git;

    SUBCASE("a clean tree: the commit, asked of the template's directory") {
        git.on(is_rev_parse, {0, "", k_commit + "\n", ""});
        CHECK(deploy::git_commit_of(git, "deploy/app.yaml") == k_commit);
        CHECK(git.lines() == std::vector<std::string>{"git -C deploy rev-parse --verify -q HEAD",
                                                      "git -C deploy status --porcelain -- "
                                                      ":(exclude,glob)**/calzion.infra.yaml"});
    }
    SUBCASE("changes in the tree mark it dirty") {
        git.on(is_rev_parse, {0, "", k_commit + "\n", ""});
        git.on(is_status, {0, "", " M app.yaml\n", ""});
        CHECK(deploy::git_commit_of(git, "/srv/app.yaml") == k_commit + "-dirty");
    }
    SUBCASE("a template in the current directory is looked up there") {
        git.on(is_rev_parse, {0, "", k_commit + "\n", ""});
        deploy::git_commit_of(git, "app.yaml");
        CHECK(git.lines().front() == "git -C . rev-parse --verify -q HEAD");
    }
    SUBCASE("not a repository, or a repository without commits: none") {
        git.on(is_rev_parse, {128, "", "", "fatal: not a git repository\n"});
        CHECK(deploy::git_commit_of(git, "app.yaml").empty());
        CHECK(git.lines().size() == 1);
    }
    SUBCASE("git missing: none") {
        git.on(is_rev_parse, {127, "", "", "git: not found\n"});
        CHECK(deploy::git_commit_of(git, "app.yaml").empty());
    }
    SUBCASE("when git cannot tell whether the tree changed, it counts as dirty") {
        git.on(is_rev_parse, {0, "", k_commit + "\n", ""});
        git.on(is_status, {128, "", "", "fatal: index file corrupt\n"});
        CHECK(deploy::git_commit_of(git, "app.yaml") == k_commit + "-dirty");
    }
    SUBCASE("git that hangs or cannot run never fails the deploy") {
        ThrowingRunner broken;
        CHECK(deploy::git_commit_of(broken, "app.yaml").empty());
    }
}
