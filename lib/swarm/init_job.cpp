#include "swarm/init_job.hpp"

#include "util/shell.hpp"

namespace calzion::swarm {

namespace {

constexpr const char* k_run_job = R"sh(
job=$1; timeout=$2; lines=$3; shift 3
docker service rm "$job" >/dev/null 2>&1
if ! err=$("$@" 2>&1 >/dev/null); then
  echo "refused none"; printf '%s\n' "$err" | tr '\n' ' '; echo; exit 1
fi
end=$(($(date +%s) + timeout)); verdict=""; st=""; t=""
while :; do
  t=$(docker service ps -q --no-trunc "$job" 2>/dev/null | head -n 1)
  if [ -n "$t" ]; then
    st=$(docker inspect --type task --format '{{.Status.State}} {{with .Status.ContainerStatus}}{{.ExitCode}}{{else}}none{{end}}' "$t" 2>/dev/null)
  fi
  case ${st%% *} in
    complete) verdict=complete ;;
    failed|rejected|shutdown|orphaned|remove) verdict=failed ;;
  esac
  if [ -z "$verdict" ] && [ "$(date +%s)" -ge "$end" ]; then verdict=timeout; fi
  [ -z "$verdict" ] || break
  sleep 0.5 2>/dev/null || sleep 1
done
code=${st#* }
echo "$verdict ${code:-none}"
if [ -n "$t" ]; then docker inspect --type task --format '{{.Status.Err}}' "$t" 2>/dev/null; else echo; fi
docker service logs --raw --tail "$lines" "$job" 2>&1
c=""
if [ -n "$t" ]; then c=$(docker inspect --type task --format '{{with .Status.ContainerStatus}}{{.ContainerID}}{{end}}' "$t" 2>/dev/null); fi
docker service rm "$job" >/dev/null 2>&1
# Swarm leaves a finished job's container: remove it when it is on this node.
if [ -n "$c" ]; then docker rm --force "$c" >/dev/null 2>&1; fi
[ "$verdict" = complete ]
)sh";

}  // namespace

std::string init_job_name(const std::string& service_name) { return service_name + "_init"; }

Argv init_job_argv(const ServiceSpec& spec, const std::string& instance, const std::vector<std::string>& command) {
    ServiceSpec job = spec;
    job.container_labels = {{"io.calzion.init-of", instance}};
    job.ports.clear();
    job.aliases.clear();
    job.health = {};
    job.restart_condition = "none";
    job.restart_attempts = 0;
    job.entrypoint = {"sh"};
    job.args = {"-c", "exec \"$@\" 2>&1", "calzion-init"};
    job.args.insert(job.args.end(), command.begin(), command.end());
    Argv argv = {"docker", "service", "create", "--detach", "--no-resolve-image", "--mode", "replicated-job",
                 "--name", init_job_name(spec.name), "--label", "io.calzion.init-of=" + instance};
    Argv task = task_flags(job);
    argv.insert(argv.end(), task.begin(), task.end());
    argv.push_back("--no-healthcheck");
    argv.push_back(job.image);
    argv.insert(argv.end(), job.args.begin(), job.args.end());
    return argv;
}

Argv run_job_argv(const std::string& job, const Argv& create, int timeout_seconds, int lines) {
    std::vector<std::string> args = {job, std::to_string(timeout_seconds), std::to_string(lines)};
    args.insert(args.end(), create.begin(), create.end());
    return util::script_argv(k_run_job, args);
}

JobOutcome parse_job(const std::string& output) {
    JobOutcome outcome;
    size_t first = output.find('\n');
    std::string head = output.substr(0, first);
    size_t space = head.find(' ');
    outcome.verdict = head.substr(0, space);
    outcome.exit_code = space == std::string::npos ? "none" : head.substr(space + 1);
    if (first == std::string::npos) {
        return outcome;
    }
    size_t second = output.find('\n', first + 1);
    outcome.error = output.substr(first + 1, second == std::string::npos ? std::string::npos : second - first - 1);
    if (second != std::string::npos) {
        outcome.output = output.substr(second + 1);
    }
    return outcome;
}

}  // namespace calzion::swarm
