#include "backend/apply_progress.hpp"
#include "docker/apply.hpp"

#include <algorithm>
#include <atomic>
#include <functional>
#include <mutex>

#include "docker/hand_over.hpp"
#include "docker/init_command.hpp"
#include "docker/prepare.hpp"
#include "docker/wait.hpp"
#include "exec/describe.hpp"
#include "exec/executor.hpp"
#include "exec/run_checked.hpp"
#include "exec/sequence.hpp"
#include "state/scripts.hpp"
#include "state/store.hpp"
#include "util/error.hpp"
#include "util/shell.hpp"
#include "util/sha256.hpp"
#include "util/strings.hpp"

namespace calzion::docker {

namespace {

using plan::Action;
using plan::ActionKind;

// Name an old container takes while its replacement starts: "_" cannot occur
// in instance and service names, so this is never another service's container.
std::string parked_name(const std::string& container) { return container + "_old"; }

// A step that runs in the same remote script as a new container's docker run
// and readiness wait, before them; `what` names it when it fails.
struct Step {
    std::vector<std::string> argv;
    std::string what;
};

// A step before or after the new container's start and wait failed: the
// replacement's rollback (the old container back under its name) does not
// apply, as when each step ran alone.
class StepFailed : public Error {
public:
    using Error::Error;
};

class Applier {
public:
    Applier(const render::Deployment& desired, const state::HostState& observed, exec::Runner& runner,
            events::Reporter& reporter, const ApplyOptions& options)
        : m_desired(desired), m_observed(observed), m_runner(runner), m_reporter(reporter), m_options(options),
          m_progress(runner, reporter) {}

    ApplyResult run(const plan::Plan& plan) {
        if (!plan.has_changes()) {
            return {};
        }
        try {
            prepare(plan);
        } catch (...) {
            m_progress.result().error = exec::current_error();
            return m_progress.result();
        }
        run_actions(plan);
        return m_progress.result();
    }

private:
    // Every action after those of the services it comes after (see
    // backend::run_actions).
    void run_actions(const plan::Plan& plan) {
        backend::run_actions(plan, m_progress, [this](const Action& action) { carry_out(action); });
    }

    // Carry out one action; on failure, record it (fail) and rethrow.
    void carry_out(const Action& action) {
        if (action.kind == ActionKind::keep) {
            return;
        }
        try {
            if (action.kind == ActionKind::unchanged) {
                bool finished = finish_interrupted(action);
                if (action.init) {
                    run_init(*action.desired);
                    m_progress.note(action, "init done");
                }
                if (finished || action.init) {
                    m_progress.applied(action.service);
                }
                return;
            }
            remove_leftovers(action);
            if (action.kind == ActionKind::create) {
                create(action);
            } else if (action.kind == ActionKind::replace) {
                replace(action);
            }
            m_progress.applied(action.service);
        } catch (...) {
            // Whatever was thrown, as an Error: the service fails, not the process.
            m_progress.fail(action, exec::current_error());
            throw;
        }
    }

    void create(const Action& action) {
        m_progress.step(action, "create");
        start_new(action, docker::Alias::now);
        m_progress.note(action, "ready");
    }

    // Start-first: the old container is parked (renamed) and keeps serving
    // while the new one starts without the service's alias; once the new one
    // is ready, hand_over moves the traffic. Stop-first: the old one stops
    // first and the new one takes the alias as it starts. A running container
    // parked by an interrupted replacement is the old one: it keeps serving,
    // and the service's own container, whatever that attempt left, goes.
    void replace(const Action& action) {
        const std::string& name = action.desired->container;
        // The container in place may still have a name from an earlier naming scheme.
        const std::string& current = action.current ? action.current->name : name;
        bool stop_first = action.desired->update == render::UpdateOrder::stop_first;
        m_progress.step(action, std::string("replace (") + (stop_first ? "stop-first" : "start-first") + ")");
        std::string old = action.parked ? action.parked->name : parked_name(name);
        // Where the old container goes back to if the new one fails.
        const std::string& restore = action.parked ? name : current;
        std::vector<Step> before;
        if (action.parked) {
            before.push_back({docker::hand_over_argv(m_desired.network, action.service, old, "", 0),
                              "giving " + old + " its alias back"});
            if (action.current) {
                before.push_back({docker::remove_own_container(current, m_desired.instance), "docker rm"});
            }
        }
        if (stop_first) {
            before.push_back({docker::stop_container(action.parked ? old : current), "docker stop"});
        }
        if (!action.parked) {
            before.push_back({docker::rename_container(current, old), "docker rename"});
        }
        std::vector<Step> after;
        if (stop_first) {
            after.push_back({docker::remove_container(old), "docker rm"});
        } else {
            after.push_back({docker::hand_over_argv(m_desired.network, action.service, name, old,
                                                    m_options.drain_seconds),
                             "handing the traffic over to the new container"});
        }
        try {
            start_new(action, stop_first ? docker::Alias::now : docker::Alias::when_ready, std::move(before),
                      std::move(after));
        } catch (const StepFailed&) {
            throw;
        } catch (...) {
            // The old container comes back, under its own name, running as before.
            m_progress.try_run(docker::rename_container(old, restore));
            if (stop_first) {
                m_progress.try_run(docker::start_container(restore));
            }
            throw;
        }
        if (!stop_first) {
            m_progress.note(action, "removed container " + old);
        }
        m_progress.note(action, "ready");
    }

    // The new container, ready, takes the traffic from `old` (see
    // docker::hand_over_argv); `old` is then stopped and removed.
    void hand_over(const Action& action, const std::string& old) {
        exec::run_checked(m_runner, docker::hand_over_argv(m_desired.network, action.service, action.desired->container, old,
                                    m_options.drain_seconds),
             "handing the traffic over to the new container");
        if (!old.empty()) {
            m_progress.note(action, "removed container " + old);
        }
    }

    // A service whose container already has the template's spec but still has
    // leftovers is what an interrupted replacement leaves (calzion killed, the
    // connection lost): the new container next to the old one, parked and
    // still serving. Nobody saw the new one ready: wait for it, then hand the
    // traffic over; if it does not become ready, the old one keeps serving and
    // gets its name back, as after a failed replacement. True when there was
    // something to finish.
    bool finish_interrupted(const Action& action) {
        if (action.leftovers.empty() && !action.parked) {
            return false;
        }
        const std::string& name = action.desired->container;
        exec::Result wait = m_runner.run(
            {docker::wait_ready_argv(name, m_options.wait_timeout, m_options.stable_seconds), "", std::nullopt,
             nullptr});
        if (wait.ok()) {
            remove_leftovers(action);
            hand_over(action, action.parked ? action.parked->name : "");
            return true;
        }
        docker::WaitOutcome outcome = docker::parse_wait(wait.out);
        if (action.parked) {
            const std::string& old = action.parked->name;
            exec::run_checked(m_runner, docker::hand_over_argv(m_desired.network, action.service, old, "", 0),
                 "giving " + old + " its alias back");
            m_progress.try_run(docker::remove_own_container(name, m_desired.instance));
            exec::run_checked(m_runner, docker::rename_container(old, name), "docker rename");
            exec::run_checked(m_runner, docker::start_container(name), "docker start");
            m_progress.restored(action.service);
        }
        throw Error(ErrorKind::operation_failed, not_ready(outcome));
    }

    std::string not_ready(const docker::WaitOutcome& outcome) const {
        std::string why = outcome.verdict == "timeout"
                              ? "not ready after " + std::to_string(m_options.wait_timeout) + "s"
                              : "failed to start (" + outcome.status +
                                    (outcome.health == "none" ? "" : ", " + outcome.health) + ")";
        return docker::not_ready_text(why, outcome);
    }

    // Run the new container, wait until it is ready and run its init if the plan
    // says so; remove it if any of that fails. The steps `before` it (the host's
    // preparation when folded in, parking the old container), docker run, the
    // wait and the steps `after` it (the hand-over) are one remote script; with
    // init, the steps after run once init is done. A failed step before or after
    // throws StepFailed.
    void start_new(const Action& action, docker::Alias alias, std::vector<Step> before = {},
                   const std::vector<Step>& after = {}) {
        const render::RenderedService& service = *action.desired;
        docker::ServicePaths paths{m_observed.instance_dir(m_desired.instance),
                                   !service.secrets.empty() || m_options.secrets.count(service.name) > 0,
                                   m_observed.state_dir};
        docker::PullPolicy pull = docker::pull_policy_for(service, m_options.pull);
        if (!m_prepare.argv.empty()) {
            before.insert(before.begin(), m_prepare);
        }
        std::vector<std::vector<std::string>> steps;
        for (const auto& step : before) {
            steps.push_back(step.argv);
        }
        steps.push_back(docker::run(service, m_desired.network, paths, pull, alias));
        steps.push_back(docker::wait_ready_argv(service.container, m_options.wait_timeout, m_options.stable_seconds));
        size_t waited = steps.size() - 1;  // its output is the one kept
        if (!action.init) {
            for (const auto& step : after) {
                steps.push_back(step.argv);
            }
        }
        exec::Result run = m_runner.run(exec::command(exec::sequence_argv(steps, waited)));
        size_t failed = run.ok() ? steps.size() : exec::failed_step(run, steps.size());
        if (failed < before.size() || (failed > waited && failed < steps.size())) {
            const Step& step = failed < before.size() ? before[failed] : after[failed - waited - 1];
            throw StepFailed(ErrorKind::operation_failed, step.what + " failed: " + util::one_line(run.err));
        }
        if (failed == waited) {
            docker::WaitOutcome outcome = docker::parse_wait(run.out);
            m_progress.try_run(docker::remove_own_container(service.container, m_desired.instance));
            throw Error(ErrorKind::operation_failed, not_ready(outcome));
        }
        if (!run.ok()) {
            m_progress.try_run(docker::remove_own_container(service.container, m_desired.instance));
            throw Error(ErrorKind::operation_failed, run_failure(service, pull, run));
        }
        if (action.init) {
            try {
                run_init(service);
            } catch (...) {
                m_progress.try_run(docker::remove_own_container(service.container, m_desired.instance));
                throw;
            }
            for (const auto& step : after) {
                exec::Result result = m_runner.run(exec::command(step.argv));
                if (!result.ok()) {
                    throw StepFailed(ErrorKind::operation_failed, step.what + " failed: " + util::one_line(result.err));
                }
            }
        }
        auto secrets = m_options.secrets.find(service.name);
        if (secrets != m_options.secrets.end()) {
            // Best effort: without the record, the next deploy replaces it once more.
            m_progress.try_run(state::mark_secrets_argv(m_observed.instance_dir(m_desired.instance), service.name,
                                             util::sha256_hex(secrets->second)));
        }
    }

    // Why docker run failed. An image the host lacks is named, with the policy
    // that left it missing (decided by asking docker, not by reading its
    // message); otherwise docker's message says it.
    std::string run_failure(const render::RenderedService& service, docker::PullPolicy pull,
                            const exec::Result& run) {
        std::string docker_says = util::one_line(run.err);
        exec::Result image{0, "", "", ""};
        try {
            image = m_runner.run(exec::command(docker::inspect_image(service.image)));
        } catch (...) {
            // Unknown: say what docker said.
        }
        if (image.ok()) {
            return "docker run failed: " + docker_says;
        }
        if (pull == docker::PullPolicy::never) {
            return "image " + util::quoted(service.image) +
                   " is not on the host, and pull policy \"never\" does not pull it: " + docker_says;
        }
        return "cannot pull image " + util::quoted(service.image) + " (pull policy " +
               util::quoted(render::to_string(pull)) + "): " + docker_says;
    }

    // Run the service's init commands in its container, in order, stopping at
    // the first that fails, then record the marker that they never run again.
    void run_init(const render::RenderedService& service) {
        for (const auto& command : service.init) {
            m_reporter.event({events::Event::Kind::step, m_runner.host(), service.name,
                              "init: " + exec::describe(command)});
            exec::Result result = m_runner.run({docker::init_command(service.container, command), "", std::nullopt,
                                                nullptr});
            if (!result.ok()) {
                throw Error(ErrorKind::operation_failed, init_failure(command, result));
            }
        }
        state::record_init(m_runner, m_observed, m_desired.instance, service, m_desired.revision.value_or(0));
    }

    static std::string init_failure(const std::vector<std::string>& command, const exec::Result& result) {
        std::string how = result.signal.empty() ? "exit " + std::to_string(result.exit_code)
                                                : "signal " + result.signal;
        std::string output = !result.out.empty() ? result.out : result.err;
        std::string text = "init command " + util::quoted(util::shell_join(command)) + " failed (" + how + ")";
        return output.empty() ? text + " and printed nothing" : text + "; its last output lines:\n" + output;
    }

    void remove_leftovers(const Action& action) {
        for (const auto& container : action.leftovers) {
            exec::run_checked(m_runner, docker::remove_container(container.name), "docker rm");
            m_progress.note(action, "removed container " + container.name);
        }
    }

    // A service whose secret values were not given (a rollback) runs with the env
    // file an earlier deploy left on the host: it must be there with every name.
    void check_secret_files(const plan::Plan& plan) const {
        for (const auto& action : plan.actions) {
            if (action.desired == nullptr || (action.kind != ActionKind::create && action.kind != ActionKind::replace) ||
                m_options.secrets.count(action.service)) {
                continue;
            }
            auto file = m_observed.secret_files.find(action.service);
            for (const auto& name : action.desired->secrets) {
                if (file == m_observed.secret_files.end() || !file->second.count(name)) {
                    throw Error(ErrorKind::operation_failed,
                                "secret " + util::quoted(name) + " of service " + util::quoted(action.service) +
                                    " is not on the host (secrets/" + action.service +
                                    ".env): deploy the template with the secret set");
                }
            }
        }
    }

    void prepare(const plan::Plan& plan) {
        check_secret_files(plan);
        std::vector<std::string> directories;
        std::vector<std::string> volumes;
        for (const auto& action : plan.actions) {
            if (action.desired == nullptr || (action.kind != ActionKind::create && action.kind != ActionKind::replace)) {
                continue;
            }
            for (const auto& mount : action.desired->mounts) {
                if (mount.type == render::MountType::instance) {
                    directories.push_back(mount.source);
                } else if (mount.type == render::MountType::volume &&
                           std::find(volumes.begin(), volumes.end(), mount.source) == volumes.end()) {
                    volumes.push_back(mount.source);
                }
            }
        }
        std::string instance_dir = m_observed.instance_dir(m_desired.instance);
        Step step{docker::prepare_argv(instance_dir, m_desired.network, m_desired.instance, directories,
                                      m_observed.state_dir, volumes),
                  "preparing the network, directories and volumes"};
        // One container to start: the preparation goes into its script. With
        // more, which start concurrently, it runs first, once.
        size_t starting = std::count_if(plan.actions.begin(), plan.actions.end(), [](const Action& action) {
            return action.desired != nullptr &&
                   (action.kind == ActionKind::create || action.kind == ActionKind::replace);
        });
        if (starting == 1) {
            m_prepare = std::move(step);
        } else {
            exec::run_checked(m_runner, step.argv, step.what);
        }
        for (const auto& [service, env_file] : m_options.secrets) {
            exec::Result result = m_runner.run(exec::command(state::write_secrets_argv(instance_dir, service), env_file));
            if (!result.ok()) {
                throw Error(ErrorKind::operation_failed, "cannot write the secrets of " + service + ": " +
                                                             util::one_line(result.err));
            }
        }
    }


    const render::Deployment& m_desired;
    const state::HostState& m_observed;
    exec::Runner& m_runner;
    events::Reporter& m_reporter;
    const ApplyOptions& m_options;
    Step m_prepare;  // the host's preparation, when it runs in the one start script
    backend::ApplyProgress m_progress;
};

}  // namespace

ApplyResult apply(const plan::Plan& plan, const render::Deployment& desired, const state::HostState& observed,
                  exec::Runner& runner, events::Reporter& reporter, const ApplyOptions& options) {
    return Applier(desired, observed, runner, reporter, options).run(plan);
}

}  // namespace calzion::docker
