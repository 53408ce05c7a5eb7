#pragma once

// Where a job's source comes from: a repository on this machine (or a local
// mirror of a remote one) and one commit of it, resolved once.

#include <optional>
#include <string>
#include <vector>

#include "exec/runner.hpp"
#include "jobs/record.hpp"

namespace calzion::pipeline {

struct JobSource {
    std::string repository;  // a local repository git runs in: the user's, or the mirror of a remote one
    jobs::Commit commit;     // sha, ref, repo as the user named it, subject line
};

// Whether `repo` names a remote repository (a URL, or scp-like "host:path")
// rather than a directory here.
bool is_remote(const std::string& repo);

// Where the mirror of remote `url` lives on this machine:
// ${XDG_CACHE_HOME:-$HOME/.cache}/calzion/repos/<sha256 of url, 16 hex>.git.
std::string mirror_directory(const std::string& url);

// Resolve `ref` (a branch, tag or commit) of `repo` to a full commit id, once.
// `repo` empty: the repository holding `template_file`. A remote `repo` is
// fetched into its mirror here first (git clone --bare, then git fetch of its
// branches and tags, and of `ref` itself when it is a full ref name such as a
// pull request's "refs/pull/42/head"), with the user's own credentials:
// nothing of it reaches a host. Runs git through
// `local`. Throws Error(usage) when the repository cannot be found or read, or
// when `ref` names no commit in it.
JobSource resolve_source(exec::Runner& local, const std::string& repo, const std::string& ref,
                         const std::string& template_file);

// The text of `path` in the source's commit, nullopt when the commit has no
// such file (git show <sha>:<path>). Throws Error(operation_failed) when git fails otherwise.
std::optional<std::string> file_at(exec::Runner& local, const JobSource& source, const std::string& path);

// `git archive` of the source's commit, as a tar stream on stdout.
std::vector<std::string> archive_argv(const JobSource& source);

}  // namespace calzion::pipeline
