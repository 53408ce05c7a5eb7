#include "deploy/hosts_check.hpp"

#include "exec/run_checked.hpp"
#include "state/scripts.hpp"
#include "util/strings.hpp"

namespace calzion::deploy {

namespace {

Error docker_problem(const docker::HostProbe& probe) {
    if (probe.docker_exit == 127) {
        return Error(ErrorKind::operation_failed, "docker is not installed (or not on the PATH of " +
                                                      util::quoted(probe.user) + ")");
    }
    if (probe.docker_exit == 124) {
        return Error(ErrorKind::operation_failed, "docker did not answer within 20 s");
    }
    std::string said = probe.docker_output.empty() ? "exit " + std::to_string(probe.docker_exit)
                                                   : probe.docker_output;
    return Error(ErrorKind::operation_failed, "the docker engine does not answer: " + said);
}

Error state_dir_problem(const docker::HostProbe& probe) {
    std::string what = probe.state_dir_exists ? " is not writable by " : " cannot be created by ";
    // Permission, as deploy says for the same directory.
    return Error(ErrorKind::permission,
                 "state directory " + util::quoted(probe.state_dir) + what + util::quoted(probe.user));
}

Error format_problem(const docker::HostProbe& probe) {
    if (probe.format < 0) {
        return Error(ErrorKind::invalid_data,
                     "the state format in " + util::quoted(probe.state_dir) + " cannot be read");
    }
    return Error(ErrorKind::invalid_data, "the state in " + util::quoted(probe.state_dir) + " has format " +
                                              std::to_string(probe.format) + ", newer than this calzion's (" +
                                              std::to_string(state::k_state_format) + "): upgrade calzion");
}

void check_host(HostCheck& check, exec::Runner& runner, const Targets& targets) {
    check.reached = true;
    exec::Result result = runner.run(exec::command(docker::probe_argv(targets.state_dir_for(runner.host()))));
    if (!result.ok()) {
        throw Error(ErrorKind::operation_failed,
                    "the check did not run on the host: " + result.err.substr(0, result.err.find('\n')));
    }
    check.probe = docker::parse_probe(result.out);
    std::vector<std::optional<Error>> errors;
    for (const auto& problem : problems_in(check.probe)) {
        check.problems.push_back(problem.on_host(runner.host()));
        errors.push_back(check.problems.back());
    }
    check.error = worst_of(errors);
}

}  // namespace

std::vector<Error> problems_in(const docker::HostProbe& probe) {
    std::vector<Error> problems;
    if (probe.docker_exit != 0 || probe.docker.server.empty()) {
        problems.push_back(docker_problem(probe));
    }
    if (!probe.state_dir_writable) {
        problems.push_back(state_dir_problem(probe));
    }
    if (probe.format > state::k_state_format || probe.format < 0) {
        problems.push_back(format_problem(probe));
    }
    return problems;
}

std::vector<HostCheck> check_all(const Targets& targets) {
    auto checks = on_every_host<HostCheck>(targets, [&](HostCheck& check, exec::Runner& runner) {
        check_host(check, runner, targets);
    });
    for (auto& check : checks) {
        check.local = check.host == "local";
        if (check.error && check.problems.empty()) {
            check.problems.push_back(*check.error);  // connecting, or the round trip, failed
        }
    }
    return checks;
}

}  // namespace calzion::deploy
