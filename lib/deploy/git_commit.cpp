#include "deploy/git_commit.hpp"

#include <chrono>

#include "util/error.hpp"

namespace calzion::deploy {

namespace {

constexpr std::chrono::seconds k_git_timeout{10};

std::string directory_of(const std::string& file) {
    size_t slash = file.rfind('/');
    return slash == std::string::npos ? "." : slash == 0 ? "/" : file.substr(0, slash);
}

bool is_object_name(const std::string& text) {
    return (text.size() == 40 || text.size() == 64) && text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

}  // namespace

std::string git_commit_of(exec::Runner& local, const std::string& file) {
    std::string directory = directory_of(file);
    try {
        exec::Result head = local.run({{"git", "-C", directory, "rev-parse", "--verify", "-q", "HEAD"}, "",
                                       k_git_timeout, nullptr});
        std::string commit = head.out.substr(0, head.out.find('\n'));
        if (!head.ok() || !is_object_name(commit)) {
            return "";
        }
        // The infrastructure file, often untracked beside the template, does not count.
        exec::Result status = local.run({{"git", "-C", directory, "status", "--porcelain", "--",
                                          ":(exclude,glob)**/calzion.infra.yaml"},
                                         "", k_git_timeout, nullptr});
        // When git cannot tell, the commit alone may not give back what was deployed.
        return commit + (status.ok() && status.out.empty() ? "" : "-dirty");
    } catch (const Error&) {
        return "";  // git hung or could not be run: deploy without a commit
    }
}

}  // namespace calzion::deploy
