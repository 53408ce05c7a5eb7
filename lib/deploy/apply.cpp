#include "deploy/apply.hpp"

#include <atomic>
#include <future>
#include <mutex>

#include "docker/wait.hpp"
#include "state/scripts.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace calzion::deploy {

namespace {

using plan::Action;
using plan::ActionKind;

// Name an old container takes while its replacement starts.
std::string parked_name(const std::string& container) { return container + "-calzion-old"; }

class Applier {
public:
    Applier(const render::Deployment& desired, const state::HostState& observed, exec::Runner& runner,
            report::Reporter& reporter, const ApplyOptions& options)
        : m_desired(desired), m_observed(observed), m_runner(runner), m_reporter(reporter), m_options(options) {}

    ApplyResult run(const plan::Plan& plan) {
        if (!plan.has_changes()) {
            return {};
        }
        try {
            prepare(plan);
        } catch (const Error& error) {
            m_result.error = error.message();
            return m_result;
        }
        run_actions(plan);
        return m_result;
    }

private:
    // Every action as a task that first waits for the services it depends on.
    void run_actions(const plan::Plan& plan) {
        std::map<std::string, std::shared_future<bool>> done;
        std::vector<std::promise<bool>> promises(plan.actions.size());
        for (size_t i = 0; i < plan.actions.size(); ++i) {
            done[plan.actions[i].service] = promises[i].get_future().share();
        }
        std::vector<std::future<void>> tasks;
        for (size_t i = 0; i < plan.actions.size(); ++i) {
            tasks.push_back(std::async(std::launch::async, [&, i] {
                const Action& action = plan.actions[i];
                bool ready = wait_for_dependencies(action, done);
                promises[i].set_value(ready && !m_failed && carry_out(action));
            }));
        }
        for (auto& task : tasks) {
            task.get();
        }
    }

    bool wait_for_dependencies(const Action& action, std::map<std::string, std::shared_future<bool>>& done) {
        bool ready = true;
        if (action.desired != nullptr) {
            for (const auto& dependency : action.desired->after) {
                auto found = done.find(dependency);
                ready = (found == done.end() || found->second.get()) && ready;
            }
        }
        return ready;
    }

    bool carry_out(const Action& action) {
        if (action.kind == ActionKind::keep) {
            return true;
        }
        try {
            remove_leftovers(action);
            if (action.kind == ActionKind::unchanged) {
                return true;
            }
            if (action.kind == ActionKind::create) {
                create(action);
            } else if (action.kind == ActionKind::replace) {
                replace(action);
            }
            std::lock_guard<std::mutex> guard(m_mutex);
            m_result.applied.insert(action.service);
            return true;
        } catch (const Error& error) {
            fail(action, error.message());
            return false;
        }
    }

    void create(const Action& action) {
        step(action, "create");
        start_new(action);
        note(action, "ready");
    }

    void replace(const Action& action) {
        const std::string& name = action.desired->container;
        bool stop_first = action.desired->update == "stop-first";
        step(action, std::string("replace (") + (stop_first ? "stop-first" : "start-first") + ")");
        if (stop_first) {
            must(docker::stop_container(name), "docker stop");
        }
        must(docker::rename_container(name, parked_name(name)), "docker rename");
        try {
            start_new(action);
        } catch (const Error&) {
            // The old container comes back, under its own name, running as before.
            try_run(docker::rename_container(parked_name(name), name));
            if (stop_first) {
                try_run(docker::start_container(name));
            }
            throw;
        }
        must(docker::remove_container(parked_name(name)), "docker rm");
        note(action, "ready");
    }

    // Run the new container and wait until it is ready; remove it if it is not.
    void start_new(const Action& action) {
        const render::RenderedService& service = *action.desired;
        docker::ServicePaths paths{m_observed.instance_dir(m_desired.instance),
                                   !service.secrets.empty() || m_options.secrets.count(service.name) > 0};
        exec::Result run = m_runner.run({docker::run(service, m_desired.network, paths, m_options.pull), "",
                                         std::nullopt, nullptr});
        if (!run.ok()) {
            try_run(docker::remove_own_container(service.container, m_desired.instance));
            throw Error(ErrorKind::operation_failed, "docker run failed: " + util::one_line(run.err));
        }
        exec::Result wait = m_runner.run(
            {docker::wait_ready_argv(service.container, m_options.wait_timeout, m_options.stable_seconds), "",
             std::nullopt, nullptr});
        if (!wait.ok()) {
            docker::WaitOutcome outcome = docker::parse_wait(wait.out);
            try_run(docker::remove_own_container(service.container, m_desired.instance));
            std::string why = outcome.verdict == "timeout"
                                  ? "not ready after " + std::to_string(m_options.wait_timeout) + "s"
                                  : "failed to start (" + outcome.status + (outcome.health == "none" ? "" : ", " + outcome.health) + ")";
            throw Error(ErrorKind::operation_failed, why + "; its last log lines:\n" + outcome.logs);
        }
    }

    void remove_leftovers(const Action& action) {
        for (const auto& container : action.leftovers) {
            must(docker::remove_container(container.name), "docker rm");
            note(action, "removed container " + container.name);
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
        for (const auto& action : plan.actions) {
            if (action.desired == nullptr || (action.kind != ActionKind::create && action.kind != ActionKind::replace)) {
                continue;
            }
            for (const auto& mount : action.desired->mounts) {
                if (mount.type == "instance") {
                    directories.push_back(mount.source);
                }
            }
        }
        std::string instance_dir = m_observed.instance_dir(m_desired.instance);
        must(state::prepare_argv(instance_dir, m_desired.network, m_desired.instance, directories),
             "preparing the network and directories");
        for (const auto& [service, env_file] : m_options.secrets) {
            exec::Result result = m_runner.run({state::write_secrets_argv(instance_dir, service), env_file,
                                                std::nullopt, nullptr});
            if (!result.ok()) {
                throw Error(ErrorKind::operation_failed, "cannot write the secrets of " + service + ": " +
                                                             util::one_line(result.err));
            }
        }
    }

    void must(const std::vector<std::string>& argv, const std::string& what) {
        exec::Result result = m_runner.run({argv, "", std::nullopt, nullptr});
        if (!result.ok()) {
            throw Error(ErrorKind::operation_failed, what + " failed: " + util::one_line(result.err));
        }
    }

    void try_run(const std::vector<std::string>& argv) {
        try {
            m_runner.run({argv, "", std::nullopt, nullptr});
        } catch (const Error&) {
            // Best effort while already failing; the next deploy converges.
        }
    }

    void step(const Action& action, const std::string& text) {
        m_reporter.event({report::Event::Kind::step, m_runner.host(), action.service,
                          text + (action.reason.empty() ? "" : ": " + action.reason)});
    }
    void note(const Action& action, const std::string& text) {
        m_reporter.event({report::Event::Kind::done, m_runner.host(), action.service, text});
    }
    void fail(const Action& action, const std::string& message) {
        m_failed = true;
        m_reporter.event({report::Event::Kind::failed, m_runner.host(), action.service, message});
        std::lock_guard<std::mutex> guard(m_mutex);
        if (m_result.error.empty()) {
            m_result.error = "service \"" + action.service + "\": " + message;
        }
    }

    const render::Deployment& m_desired;
    const state::HostState& m_observed;
    exec::Runner& m_runner;
    report::Reporter& m_reporter;
    const ApplyOptions& m_options;
    std::atomic<bool> m_failed{false};
    std::mutex m_mutex;
    ApplyResult m_result;
};

}  // namespace

ApplyResult apply(const plan::Plan& plan, const render::Deployment& desired, const state::HostState& observed,
                  exec::Runner& runner, report::Reporter& reporter, const ApplyOptions& options) {
    return Applier(desired, observed, runner, reporter, options).run(plan);
}

}  // namespace calzion::deploy
