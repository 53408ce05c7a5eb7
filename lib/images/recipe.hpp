#pragma once

#include <map>
#include <optional>
#include <string>

#include "exec/runner.hpp"
#include "render/deployment.hpp"

namespace calzion::images {

// What to build for one service, and from where: a tree of a git repository,
// sent as a tar stream into `docker build`.
struct Recipe {
    std::string service;
    std::string repository;  // absolute path of the repository's top directory
    std::string context;     // the build context inside it: "" (the top) or "sub/dir/"
    std::string commit;      // full object name of the commit being deployed
    std::string tree;        // what `git archive` sends: "<commit>[:<context>]", or a tree id when dirty
    bool dirty = false;      // the working tree, uncommitted changes included (--allow-dirty)
    std::string tag;         // "<commit12>", or "<commit12>-dirty-<tree12>"
    std::string dockerfile;  // relative to the context; empty: its Dockerfile
    std::map<std::string, std::string> args;
    std::string target;
};

// One commit of a repository, which every build context is then taken from
// (a pipeline job's checkout) instead of the working tree's HEAD.
struct Checkout {
    std::string repository;  // a local repository (its top, or a bare one)
    std::string commit;      // full object name
};

struct ResolveOptions {
    // Build a context with uncommitted changes as it is in the working tree
    // instead of refusing it.
    bool allow_dirty = false;
    // Build every context from this commit: a context's path inside it is its
    // path from the top of the repository that holds the template (from the
    // template's directory when the template is in none).
    std::optional<Checkout> at;
};

// Find what to build for every service of `deployment` that has `git` or
// `build`: the repository that holds its build context, the commit to deploy
// (HEAD) and the image tag. `git` is a path relative to the template's
// directory; `build.context` is relative to the `git` path or, without one, to
// the template's directory. The context is dirty when `git status` shows any
// change under it, untracked files included; a dirty context is built from its
// working tree (tracked and untracked files, not ignored ones) through a
// temporary index in the repository's git directory, and its tag carries the
// hash of that tree, so that every change builds anew. Runs git through
// `local`. Throws Error(invalid_data) when a context is not in a git repository
// or the repository has no commit, Error(usage) naming the repository and
// --allow-dirty when a context has uncommitted changes and !allow_dirty, and
// Error(operation_failed) when git cannot be run or fails otherwise.
std::map<std::string, Recipe> resolve(exec::Runner& local, const render::Deployment& deployment,
                                      const std::string& template_file, const ResolveOptions& options);

// The image tag of every recipe, by service (for render::RenderOptions::commits).
std::map<std::string, std::string> tags_of(const std::map<std::string, Recipe>& recipes);

}  // namespace calzion::images
