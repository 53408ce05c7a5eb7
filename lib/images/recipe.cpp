#include "images/recipe.hpp"

#include <filesystem>
#include <unistd.h>

#include "util/error.hpp"
#include "util/strings.hpp"

namespace calzion::images {

// A pathspec that leaves out the infrastructure file, in the context or below.
constexpr const char* k_not_infra_file = ":(exclude,glob)**/calzion.infra.yaml";

namespace {

constexpr std::chrono::seconds k_git_timeout{300};
constexpr size_t k_short_name = 12;

// Runs git for one service and turns its failures into messages about it.
class Git {
public:
    Git(exec::Runner& local, std::string service) : m_local(local), m_service(std::move(service)) {}

    exec::Result try_run(std::vector<std::string> argv) {
        exec::Result result = m_local.run({std::move(argv), "", k_git_timeout, nullptr});
        if (result.exit_code == 127) {
            throw failure(ErrorKind::operation_failed, "cannot run git: " + util::one_line(result.err));
        }
        return result;
    }

    std::string run(std::vector<std::string> argv, const std::string& what) {
        exec::Result result = try_run(std::move(argv));
        if (!result.ok()) {
            throw failure(ErrorKind::operation_failed, "git cannot " + what + ": " + util::one_line(result.err));
        }
        return result.out;
    }

    Error failure(ErrorKind kind, const std::string& message) const {
        return Error(kind, "service " + util::quoted(m_service) + ": " + message);
    }

private:
    exec::Runner& m_local;
    std::string m_service;
};

bool is_object_name(const std::string& text) {
    return (text.size() == 40 || text.size() == 64) && text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// The directory of the build context as written: `git`, then `build.context`,
// from the template's directory.
std::string context_directory(const render::RenderedService& service, const std::string& template_file) {
    std::filesystem::path directory = std::filesystem::path(template_file).parent_path();
    if (service.git) {
        directory /= *service.git;
    }
    if (service.build) {
        directory /= service.build->context;
    }
    std::string text = directory.lexically_normal().string();
    return text.empty() ? "." : text;
}

// The tree of the context as the working tree has it, through a temporary index
// (as `git stash` makes its trees), so that the user's own index is untouched.
std::string working_tree(Git& git, const Recipe& recipe, const std::string& directory, const std::string& git_dir) {
    std::string index = git_dir + "/calzion-index-" + std::to_string(::getpid()) + "-" + recipe.service;
    std::vector<std::string> with_index = {"env", "GIT_INDEX_FILE=" + index, "git"};
    auto in = [&](const std::string& where, std::vector<std::string> words) {
        std::vector<std::string> argv = with_index;
        argv.insert(argv.end(), {"-C", where});
        argv.insert(argv.end(), words.begin(), words.end());
        return argv;
    };
    std::string tree;
    try {
        git.run(in(recipe.repository, {"read-tree", recipe.commit}), "read the commit");
        git.run(in(directory, {"add", "--all", "--", "."}), "add the working tree to a temporary index");
        std::vector<std::string> write_tree = {"write-tree"};
        if (!recipe.context.empty()) {
            write_tree.push_back("--prefix=" + recipe.context);
        }
        auto written = util::split_lines(git.run(in(recipe.repository, write_tree), "write the working tree"));
        tree = written.empty() ? "" : written.front();
    } catch (...) {
        git.try_run({"rm", "-f", "--", index});
        throw;
    }
    git.try_run({"rm", "-f", "--", index});
    return tree;
}

// The files `git status --porcelain` lists ("XY path" lines), the first few of
// them: "web/index.html, web/new.txt and 3 more".
std::string changed_files(const std::string& porcelain) {
    constexpr size_t k_named = 5;
    std::vector<std::string> files;
    size_t more = 0;
    for (const auto& line : util::split_lines(porcelain)) {
        if (line.size() <= 3) {
            continue;
        }
        if (files.size() < k_named) {
            files.push_back(line.substr(3));
        } else {
            ++more;
        }
    }
    std::string text = util::comma_list(files);
    return more == 0 ? text : text + " and " + std::to_string(more) + " more";
}

// A context taken from `at`: its path from the top of the template's
// repository, looked up in the checkout's commit.
Recipe resolve_at(Git& git, Recipe recipe, const render::RenderedService& service, const std::string& template_file,
                  const Checkout& at) {
    std::filesystem::path template_directory = std::filesystem::path(template_file).parent_path();
    std::string start = template_directory.empty() ? "." : template_directory.string();
    exec::Result where = git.try_run({"git", "-C", start, "rev-parse", "--show-prefix"});
    std::vector<std::string> found = util::split_lines(where.out);
    std::filesystem::path inside = where.ok() && !found.empty() ? found.front() : "";
    if (service.git) {
        inside /= *service.git;
    }
    if (service.build) {
        inside /= service.build->context;
    }
    std::string context = inside.lexically_normal().generic_string();
    while (!context.empty() && context.back() == '/') {
        context.pop_back();
    }
    if (context == ".") {
        context.clear();
    }
    if (context.rfind("..", 0) == 0) {
        throw git.failure(ErrorKind::invalid_data, "the build context " + util::quoted(context) +
                                                       " is outside the repository " + util::quoted(at.repository));
    }
    recipe.repository = at.repository;
    recipe.commit = at.commit;
    recipe.context = context.empty() ? "" : context + "/";
    recipe.tree = context.empty() ? at.commit : at.commit + ":" + recipe.context;
    recipe.tag = at.commit.substr(0, k_short_name);
    exec::Result kind = git.try_run({"git", "-C", at.repository, "cat-file", "-t", recipe.tree});
    std::string expected = context.empty() ? "commit" : "tree";
    if (!kind.ok() || util::split_lines(kind.out) != std::vector<std::string>{expected}) {
        throw git.failure(ErrorKind::invalid_data, "the build context " + util::quoted(context.empty() ? "." : context) +
                                                       " is not in commit " + recipe.tag + " of " +
                                                       util::quoted(at.repository));
    }
    return recipe;
}

Recipe resolve_one(exec::Runner& local, const render::RenderedService& service, const std::string& template_file,
                   const ResolveOptions& options) {
    Recipe recipe;
    recipe.service = service.name;
    if (service.build) {
        recipe.dockerfile = service.build->dockerfile;
        recipe.args = service.build->args;
        recipe.target = service.build->target;
    }
    Git git(local, service.name);
    if (options.at) {
        return resolve_at(git, std::move(recipe), service, template_file, *options.at);
    }
    std::string directory = context_directory(service, template_file);

    exec::Result where = git.try_run({"git", "-C", directory, "rev-parse", "--show-toplevel", "--show-prefix",
                                      "--absolute-git-dir"});
    std::vector<std::string> found = util::split_lines(where.out);
    if (!where.ok() || found.size() != 3) {
        throw git.failure(ErrorKind::invalid_data, "the build context " + util::quoted(directory) +
                                                       " is not a directory in a git repository: " +
                                                       util::one_line(where.err));
    }
    recipe.repository = found[0];
    recipe.context = found[1];
    const std::string& git_dir = found[2];

    exec::Result head = git.try_run({"git", "-C", recipe.repository, "rev-parse", "--verify", "-q", "HEAD^{commit}"});
    recipe.commit = util::split_lines(head.out).empty() ? "" : util::split_lines(head.out).front();
    if (!head.ok() || !is_object_name(recipe.commit)) {
        throw git.failure(ErrorKind::invalid_data,
                          "the git repository " + util::quoted(recipe.repository) + " has no commit to build yet");
    }
    std::string short_commit = recipe.commit.substr(0, k_short_name);

    // Ignored files never count; nor does the infrastructure file, which often
    // sits untracked beside a template that builds its own directory.
    std::string changes = git.run({"git", "-C", directory, "--no-optional-locks", "status", "--porcelain",
                                   "--untracked-files=all", "--", ".", k_not_infra_file},
                                  "tell whether the working tree has changes");
    if (changes.empty()) {
        recipe.tree = recipe.context.empty() ? recipe.commit : recipe.commit + ":" + recipe.context;
        recipe.tag = short_commit;
        return recipe;
    }
    if (!options.allow_dirty) {
        std::string context = recipe.context.empty() ? "" : " in " + util::quoted(recipe.context);
        throw git.failure(ErrorKind::usage, "the git repository " + util::quoted(recipe.repository) +
                                                " has uncommitted changes" + context + " (" + changed_files(changes) +
                                                "): commit them, or deploy with --allow-dirty to build the working "
                                                "tree as it is");
    }
    recipe.dirty = true;
    recipe.tree = working_tree(git, recipe, directory, git_dir);
    if (!is_object_name(recipe.tree)) {
        throw git.failure(ErrorKind::operation_failed, "git wrote no tree for the working tree");
    }
    recipe.tag = short_commit + "-dirty-" + recipe.tree.substr(0, k_short_name);
    return recipe;
}

}  // namespace

std::map<std::string, Recipe> resolve(exec::Runner& local, const render::Deployment& deployment,
                                      const std::string& template_file, const ResolveOptions& options) {
    std::map<std::string, Recipe> recipes;
    for (const auto& service : deployment.services) {
        if (service.git || service.build) {
            recipes.emplace(service.name, resolve_one(local, service, template_file, options));
        }
    }
    return recipes;
}

std::map<std::string, std::string> tags_of(const std::map<std::string, Recipe>& recipes) {
    std::map<std::string, std::string> tags;
    for (const auto& [service, recipe] : recipes) {
        tags.emplace(service, recipe.tag);
    }
    return tags;
}

}  // namespace calzion::images
