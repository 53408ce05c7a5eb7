#pragma once

// The pipeline of a template: how a commit becomes a tested build and a
// release. It is read from the template's `pipeline:` section or from a
// repository's `.cion.yml`, whose whole document is a pipeline. Every step is a
// container; see jobs/ for how one runs.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tmpl/document.hpp"

namespace calzion::tmpl {

// One step: `build`, `release`, or a task.
struct PipelineStep {
    std::string name;      // "build", "release", or the task's name
    SourceLocation where;  // where the step is written
    std::string image;
    std::map<std::string, std::string> env;
    // Shell command lines, run in this order by a generated script under the
    // image's /bin/sh, stopping at the first failure.
    std::vector<std::string> pre;
    std::vector<std::string> cmds;
    std::vector<std::string> post;
    // `cmd:` an argv run without any shell (exclusive with pre/cmds/post).
    // Neither: the image's own entrypoint and command run.
    std::optional<std::vector<std::string>> cmd;
    bool docker_socket = false;  // `docker: true`: the host's docker socket is mounted

    bool has_script() const { return !pre.empty() || !cmds.empty() || !post.empty(); }
};

// Defaults of the pipeline's settings.
inline constexpr int k_default_keep_jobs = 20;
inline constexpr int k_default_parallel_steps = 4;
inline constexpr int k_default_notify_timeout = 30;

struct Pipeline {
    std::string file;                    // the file it was read from
    SourceLocation where;                // where the pipeline starts
    std::optional<PipelineStep> build;
    std::vector<PipelineStep> tasks;     // in file order
    // `release:` a container step, or `release: {deploy: true}`: deploy the
    // template at the job's commit to the instance.
    std::optional<PipelineStep> release;
    bool release_deploys = false;
    int keep = k_default_keep_jobs;               // `keep:` jobs kept per instance
    int parallel = k_default_parallel_steps;      // `parallel:` steps running at once
    // `notify:` a command run on this machine on every change of the job's or
    // a step's state: one element, a shell line (a string, or a list of one
    // program, quoted); more, an argv. Empty: none.
    std::vector<std::string> notify;
    int notify_timeout = k_default_notify_timeout;  // `notify_timeout:` seconds

    bool empty() const { return !build && tasks.empty() && !release && !release_deploys; }
};

// The `pipeline:` value of a template document, or null when it has none.
const Node* pipeline_section(const Node& root);

// Read a pipeline out of `node`: the value of a template's `pipeline:`, or the
// root of a `.cion.yml`. Steps may be written as mappings (`build: {image: …}`)
// or as lists of single-key mappings (`build: [{image: …}, {env: …}]`); `env`
// as a mapping or as a list of "NAME=value". Every problem goes to
// `diagnostics` (unknown keys with a did-you-mean, wrong types, a step without
// an image, `cmd` with `cmds`, invalid task names, `release` with both an image
// and `deploy`); what could be read is returned either way. Values are taken as
// written: `$NAME` belongs to the step's shell, not to calzion's variables.
Pipeline parse_pipeline(const Node& node, const std::string& file, Diagnostics& diagnostics);

// Load a pipeline from a file's text: a template with a `pipeline:` section
// (only that section is read), or a pipeline file such as `.cion.yml` (a
// document without a `pipeline:` key, every top-level key a pipeline key).
// Throws Error(invalid_data) carrying every problem, each located
// file:line:column, and Error(invalid_data) "<file>: no pipeline: ..." when the
// document is a mapping with neither a `pipeline:` key nor any of `build`,
// `tasks`, `release`.
Pipeline load_pipeline(const std::string& file, const std::string& text);

}  // namespace calzion::tmpl
