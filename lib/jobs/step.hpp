#pragma once

// How one step of a job runs on the job's host: a container, created from the
// step's image with the job's directories mounted, attached until it ends, its
// output written to the step's log file as it comes and streamed back to
// calzion.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "exec/runner.hpp"
#include "jobs/record.hpp"
#include "tmpl/pipeline.hpp"

namespace calzion::jobs {

// Where things are inside a step container.
inline constexpr const char* k_build_dir = "/calzion/build";          // BUILD_DIR: the checked-out commit
inline constexpr const char* k_artifacts_dir = "/calzion/artifacts";  // ARTIFACTS_DIR
inline constexpr const char* k_step_script = "/calzion/step.sh";      // the generated entrypoint script
inline constexpr const char* k_docker_socket = "/var/run/docker.sock";

// Labels of step containers. Not io.calzion.instance: a step is no service of
// the instance, and the instance's status and prune must not see it.
inline constexpr const char* k_job_label = "io.calzion.job";            // the job id
inline constexpr const char* k_job_instance_label = "io.calzion.job.instance";
inline constexpr const char* k_job_step_label = "io.calzion.job.step";

// What a step container is made from.
struct StepSpec {
    tmpl::PipelineStep step;
    std::string kind;     // "build", "task", "release"
    std::string job_dir;  // absolute, on the host
    JobRecord const* job = nullptr;  // id, instance, number, commit
};

// "calzion-job-<instance>-<number>-<step>".
std::string container_name(const JobRecord& job, const std::string& step);

// The `docker create` argv of a step: labels; env CI=true, CALZION_JOB_ID,
// CALZION_COMMIT_SHA, CALZION_COMMIT_REF, CALZION_STEP, then BUILD_DIR (build,
// task) and ARTIFACTS_DIR (build, release), after the user's env so that
// calzion's own names win; mounts: the step's checkout at k_build_dir (build,
// task; never for release), the job's artifacts at k_artifacts_dir (read-write
// for build, read-only for release, none for tasks), the entrypoint script
// read-only when the step has one, the docker socket only with `docker: true`;
// the working directory; then the image and what it runs: `/bin/sh
// k_step_script` for a script, the `cmd` argv with the entrypoint reset, or
// nothing for the image's own. Pure.
//
// In this order: `docker create --pull=missing --name <container_name>`, the
// three labels (job, instance, step), `--env NAME=value` for the user's env
// sorted by name (names calzion sets are left out), then calzion's in the
// order above, `--mount type=bind,source=...,target=...[,readonly]` for
// <job_dir>/work/<step>, <job_dir>/artifacts, <job_dir>/steps/<step>.sh and the
// socket, `--workdir` k_build_dir (k_artifacts_dir for a release), then
// `--entrypoint /bin/sh <image> k_step_script`, `--entrypoint <cmd[0]> <image>
// <cmd[1]>...`, or `<image>`.
std::vector<std::string> create_argv(const StepSpec& spec);

// How a step ended on the host.
struct StepEnd {
    bool started = false;       // the container was created and started (docker inspect's StartedAt)
    std::optional<int> exit_code;
    bool canceled = false;      // the job was canceled while it ran
    std::string message;        // why it did not start, if it did not
};

// Run a step on `host`: write the entrypoint script, give build and tasks a
// fresh checkout of the job's source (extracted from the job's source.tar),
// create and start the container, append its output to logs/<step>.log and
// pass it to `on_output` in whole lines as it arrives, then remove the
// container. One round trip. A container that could not be created or started
// ends with `message` "the container could not be created: <its last log
// line>"; a step that could not be prepared (no source.tar, a directory that
// cannot be written) with "the step could not be prepared: <why>". Throws only
// as the runner does.
StepEnd run_step(exec::Runner& host, const StepSpec& spec,
                 const std::function<void(std::string_view)>& on_output);

}  // namespace calzion::jobs
