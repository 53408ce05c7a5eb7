#include "jobs/step.hpp"

#include <set>

#include "exec/script_status.hpp"
#include "jobs/entrypoint.hpp"
#include "jobs/step_output.hpp"
#include "util/shell.hpp"

namespace calzion::jobs {

namespace {

// Runs one step on the job's host: $1 the job's directory, $2 the step, $3 its
// container's name, $4 "yes" when the step gets a fresh checkout, then the
// arguments of `docker create`; the entrypoint script (possibly empty) on
// stdin. Everything the step prints goes to logs/<step>.log and to stdout as it
// comes. When the container could be asked to run, the last line is the marker
// "@@calzion step <started yes|no> <exit code|-> <canceled yes|no>"; without
// it, the step could not be prepared and the last line says why.
constexpr const char* k_run_step = R"sh(exec 2>&1
jdir=$1; step=$2; name=$3; checkout=$4; shift 4
log=$jdir/logs/$step.log
err=$jdir/steps/$step.err
mkdir -p "$jdir/steps" "$jdir/logs" "$jdir/artifacts" || exit 1
calzion_fail() { printf 'calzion: %s\n' "$1" | tee -a "$log"; exit 1; }
calzion_canceled() { if [ -e "$jdir/cancel" ]; then echo yes; else echo no; fi; }
# The marker starts a line of its own even when the step's output did not end one.
calzion_end() {
  rm -f "$err" "$jdir/steps/$step.exit"
  [ -n "$(tail -c 1 "$log" 2>/dev/null)" ] && echo
  echo "@@calzion step $1 $2 $(calzion_canceled)"
  exit 0
}
# No entrypoint script (an argv, or the image's own command): no file.
cat > "$jdir/steps/$step.sh.tmp" || calzion_fail "cannot write $jdir/steps/$step.sh"
if [ -s "$jdir/steps/$step.sh.tmp" ]; then
  chmod 644 "$jdir/steps/$step.sh.tmp" && mv "$jdir/steps/$step.sh.tmp" "$jdir/steps/$step.sh" ||
    calzion_fail "cannot write $jdir/steps/$step.sh"
else
  rm -f "$jdir/steps/$step.sh.tmp"
fi
if [ "$checkout" = yes ]; then
  work=$jdir/work/$step
  if ! { rm -rf "$work" && mkdir -p "$work" && tar -xf "$jdir/source.tar" -C "$work"; } > "$err" 2>&1; then
    tee -a "$log" < "$err"
    calzion_fail "cannot check the source out into $work"
  fi
fi
docker rm -f "$name" > /dev/null 2>&1
[ -e "$jdir/cancel" ] && calzion_end no -
# docker create prints the container's id on stdout; what it says on stderr
# (a pull, a warning, why it failed) belongs to the log.
cid=$(docker create "$@" 2> "$err")
created=$?
tee -a "$log" < "$err"
[ "$created" -eq 0 ] || calzion_end no -
# POSIX sh has no pipefail: docker's own status goes through a file.
{ docker start -a "$cid" 2>&1; echo "$?" > "$jdir/steps/$step.exit"; } | tee -a "$log"
started=yes
if info=$(docker inspect --format '{{.State.ExitCode}} {{.State.StartedAt}}' "$cid" 2> /dev/null); then
  code=${info%% *}
  case ${info#* } in 0001-*) started=no; code=- ;; esac
else
  # Gone already (a cancel removes it): what docker start said.
  code=$(cat "$jdir/steps/$step.exit" 2> /dev/null)
fi
case $code in '' | *[!0-9]*) code=- ;; esac
docker rm -f "$cid" > /dev/null 2>&1
calzion_end "$started" "$code"
)sh";

bool gets_checkout(const std::string& kind) { return kind == "build" || kind == "task"; }

void add(std::vector<std::string>& argv, const char* flag, std::string value) {
    argv.push_back(flag);
    argv.push_back(std::move(value));
}

std::string bind_mount(const std::string& source, const std::string& target, bool read_only) {
    return "type=bind,source=" + source + ",target=" + target + (read_only ? ",readonly" : "");
}

// calzion's own variables, in this order; they win over the user's.
std::vector<std::pair<std::string, std::string>> own_env(const StepSpec& spec) {
    const JobRecord& job = *spec.job;
    std::vector<std::pair<std::string, std::string>> env = {
        {"CI", "true"},
        {"CALZION_JOB_ID", job.id},
        {"CALZION_COMMIT_SHA", job.commit.sha},
        {"CALZION_COMMIT_REF", job.commit.ref},
        {"CALZION_STEP", spec.step.name},
    };
    if (gets_checkout(spec.kind)) {
        env.emplace_back("BUILD_DIR", k_build_dir);
    }
    if (spec.kind == "build" || spec.kind == "release") {
        env.emplace_back("ARTIFACTS_DIR", k_artifacts_dir);
    }
    return env;
}

void add_env(std::vector<std::string>& argv, const StepSpec& spec) {
    auto own = own_env(spec);
    std::set<std::string> own_names;
    for (const auto& [name, value] : own) {
        own_names.insert(name);
    }
    for (const auto& [name, value] : spec.step.env) {
        if (own_names.count(name) == 0) {
            add(argv, "--env", name + "=" + value);
        }
    }
    for (const auto& [name, value] : own) {
        add(argv, "--env", name + "=" + value);
    }
}

void add_mounts(std::vector<std::string>& argv, const StepSpec& spec) {
    const std::string& dir = spec.job_dir;
    if (gets_checkout(spec.kind)) {
        add(argv, "--mount", bind_mount(dir + "/work/" + spec.step.name, k_build_dir, false));
    }
    if (spec.kind == "build" || spec.kind == "release") {
        add(argv, "--mount", bind_mount(dir + "/artifacts", k_artifacts_dir, spec.kind == "release"));
    }
    if (spec.step.has_script()) {
        add(argv, "--mount", bind_mount(dir + "/steps/" + spec.step.name + ".sh", k_step_script, true));
    }
    if (spec.step.docker_socket) {
        add(argv, "--mount", bind_mount(k_docker_socket, k_docker_socket, false));
    }
}

}  // namespace

std::string container_name(const JobRecord& job, const std::string& step) {
    return "calzion-job-" + job.instance + "-" + std::to_string(job.number) + "-" + step;
}

std::vector<std::string> create_argv(const StepSpec& spec) {
    const JobRecord& job = *spec.job;
    std::vector<std::string> argv = {"docker", "create", "--pull=missing"};
    add(argv, "--name", container_name(job, spec.step.name));
    add(argv, "--label", std::string(k_job_label) + "=" + job.id);
    add(argv, "--label", std::string(k_job_instance_label) + "=" + job.instance);
    add(argv, "--label", std::string(k_job_step_label) + "=" + spec.step.name);
    add_env(argv, spec);
    add_mounts(argv, spec);
    add(argv, "--workdir", spec.kind == "release" ? k_artifacts_dir : k_build_dir);
    if (spec.step.has_script()) {
        add(argv, "--entrypoint", "/bin/sh");
        argv.push_back(spec.step.image);
        argv.push_back(k_step_script);
    } else if (spec.step.cmd && !spec.step.cmd->empty()) {
        add(argv, "--entrypoint", spec.step.cmd->front());
        argv.push_back(spec.step.image);
        argv.insert(argv.end(), spec.step.cmd->begin() + 1, spec.step.cmd->end());
    } else {
        argv.push_back(spec.step.image);
    }
    return argv;
}

StepEnd run_step(exec::Runner& host, const StepSpec& spec,
                 const std::function<void(std::string_view)>& on_output) {
    std::vector<std::string> create = create_argv(spec);
    std::vector<std::string> args = {spec.job_dir, spec.step.name, container_name(*spec.job, spec.step.name),
                                     gets_checkout(spec.kind) ? "yes" : "no"};
    args.insert(args.end(), create.begin() + 2, create.end());

    StepOutput output(on_output);
    exec::Command command;
    command.argv = util::script_argv(exec::script_status_prelude() + k_run_step, std::move(args));
    command.input = entrypoint_script(spec.step);
    command.on_output = [&output](exec::Stream, std::string_view data) { output.add(data); };
    exec::Result result = host.run(command);
    output.finish();
    return output.end(result);
}

}  // namespace calzion::jobs
