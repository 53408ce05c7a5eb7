#include "pipeline/source.hpp"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <unistd.h>

#include "exec/run_checked.hpp"
#include "util/error.hpp"
#include "util/sha256.hpp"
#include "util/strings.hpp"

namespace calzion::pipeline {

namespace {

constexpr std::chrono::minutes k_fetch_timeout{10};
constexpr std::chrono::seconds k_git_timeout{60};

exec::Result git(exec::Runner& local, std::vector<std::string> argv,
                 std::chrono::milliseconds timeout = k_git_timeout) {
    argv.insert(argv.begin(), "git");
    exec::Command command = exec::command(std::move(argv));
    command.timeout = timeout;
    exec::Result result = local.run(command);
    if (result.exit_code == 127) {
        throw Error(ErrorKind::operation_failed, "cannot run git: " + util::one_line(result.err));
    }
    return result;
}

std::string first_line(const std::string& text) {
    return text.substr(0, text.find('\n'));
}

// The repository holding the template: its top directory.
std::string repository_of_template(exec::Runner& local, const std::string& template_file) {
    std::filesystem::path directory = std::filesystem::path(template_file).parent_path();
    std::string start = directory.empty() ? "." : directory.string();
    exec::Result top = git(local, {"-C", start, "rev-parse", "--show-toplevel"});
    if (!top.ok()) {
        throw Error(ErrorKind::usage, "the template " + util::quoted(template_file) +
                                          " is in no git repository: name one with --repo PATH|URL");
    }
    return first_line(top.out);
}

// Make or refresh the mirror of `url`, and return its directory.
std::string fetch_mirror(exec::Runner& local, const std::string& url) {
    std::string mirror = mirror_directory(url);
    if (!std::filesystem::exists(mirror)) {
        std::filesystem::create_directories(std::filesystem::path(mirror).parent_path());
        std::string partial = mirror + ".partial." + std::to_string(::getpid());
        exec::Result cloned = git(local, {"clone", "--bare", "--quiet", "--", url, partial}, k_fetch_timeout);
        if (!cloned.ok()) {
            std::filesystem::remove_all(partial);
            throw Error(ErrorKind::usage, "cannot fetch the repository " + util::quoted(url) + ": " +
                                              util::one_line(cloned.err));
        }
        std::error_code ignored;
        std::filesystem::rename(partial, mirror, ignored);
        if (ignored) {  // another calzion made it meanwhile
            std::filesystem::remove_all(partial);
        }
    }
    exec::Result fetched = git(local,
                               {"-C", mirror, "fetch", "--quiet", "--prune", "--force", "--", url,
                                "+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"},
                               k_fetch_timeout);
    if (!fetched.ok()) {
        throw Error(ErrorKind::usage, "cannot fetch the repository " + util::quoted(url) + ": " +
                                          util::one_line(fetched.err));
    }
    return mirror;
}

// Fetch `ref` of `url` into the mirror under its own name: the mirror's
// refspecs bring branches and tags only, and a pull request's head
// (refs/pull/42/head, refs/merge-requests/42/head) is neither. A remote that
// lacks the ref makes git fail, as does a name git would take as a refspec
// pattern or a mapping.
void fetch_ref(exec::Runner& local, const std::string& mirror, const std::string& url, const std::string& ref) {
    bool plain = ref.find_first_of(":*") == std::string::npos &&
                 git(local, {"check-ref-format", ref}).ok();
    if (!plain || !git(local, {"-C", mirror, "fetch", "--quiet", "--force", "--", url, "+" + ref + ":" + ref},
                       k_fetch_timeout)
                       .ok()) {
        throw Error(ErrorKind::usage, "--ref " + util::quoted(ref) + " names no commit in " + util::quoted(url));
    }
}

}  // namespace

bool is_remote(const std::string& repo) {
    if (repo.find("://") != std::string::npos) {
        return true;
    }
    // scp-like "host:path" or "user@host:path": a colon before any slash.
    size_t colon = repo.find(':');
    size_t slash = repo.find('/');
    return colon != std::string::npos && colon > 0 && (slash == std::string::npos || colon < slash) &&
           !std::filesystem::exists(repo);
}

std::string mirror_directory(const std::string& url) {
    const char* cache = std::getenv("XDG_CACHE_HOME");
    const char* home = std::getenv("HOME");
    std::filesystem::path base = cache != nullptr && *cache != '\0'
                                     ? std::filesystem::path(cache)
                                     : std::filesystem::path(home != nullptr && *home != '\0' ? home : "/tmp") / ".cache";
    return (base / "calzion" / "repos" / (util::sha256_hex(url).substr(0, 16) + ".git")).string();
}

JobSource resolve_source(exec::Runner& local, const std::string& repo, const std::string& ref,
                         const std::string& template_file) {
    JobSource source;
    source.commit.ref = ref;
    if (repo.empty()) {
        source.repository = repository_of_template(local, template_file);
        source.commit.repo = source.repository;
    } else if (is_remote(repo)) {
        source.repository = fetch_mirror(local, repo);
        source.commit.repo = repo;
    } else {
        if (!git(local, {"-C", repo, "rev-parse", "--git-dir"}).ok()) {
            throw Error(ErrorKind::usage, "--repo " + util::quoted(repo) + " is no git repository");
        }
        source.repository = std::filesystem::absolute(repo).lexically_normal().string();
        source.commit.repo = repo;
    }
    if (ref.empty() || ref.front() == '-') {
        throw Error(ErrorKind::usage, "--ref must name a branch, tag or commit, not " + util::quoted(ref));
    }
    if (is_remote(repo) && ref.rfind("refs/", 0) == 0) {
        fetch_ref(local, source.repository, repo, ref);
    }
    exec::Result sha = git(local, {"-C", source.repository, "rev-parse", "--verify", "--quiet", "--end-of-options",
                                   ref + "^{commit}"});
    if (!sha.ok()) {
        throw Error(ErrorKind::usage, "--ref " + util::quoted(ref) + " names no commit in " +
                                          util::quoted(source.commit.repo));
    }
    source.commit.sha = first_line(sha.out);
    exec::Result subject = git(local, {"-C", source.repository, "log", "-1", "--format=%s", source.commit.sha});
    source.commit.message = subject.ok() ? first_line(subject.out) : "";
    return source;
}

std::optional<std::string> file_at(exec::Runner& local, const JobSource& source, const std::string& path) {
    std::string object = source.commit.sha + ":" + path;
    if (!git(local, {"-C", source.repository, "cat-file", "-e", object}).ok()) {
        return std::nullopt;
    }
    exec::Result shown = git(local, {"-C", source.repository, "cat-file", "blob", object});
    if (!shown.ok()) {
        throw Error(ErrorKind::operation_failed, "git cannot read " + util::quoted(path) + " at " +
                                                     source.commit.sha.substr(0, 12) + ": " +
                                                     util::one_line(shown.err));
    }
    return shown.out;
}

std::vector<std::string> archive_argv(const JobSource& source) {
    return {"git", "-C", source.repository, "archive", "--format=tar", source.commit.sha};
}

}  // namespace calzion::pipeline
