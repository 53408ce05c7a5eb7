#include "backend/apply_progress.hpp"
#include "swarm/apply.hpp"

#include <atomic>
#include <functional>
#include <mutex>

#include "exec/describe.hpp"
#include "exec/executor.hpp"
#include "exec/run_checked.hpp"
#include "exec/sequence.hpp"
#include "state/scripts.hpp"
#include "state/store.hpp"
#include "swarm/converge.hpp"
#include "swarm/init_job.hpp"
#include "swarm/plan_specs.hpp"
#include "swarm/secrets.hpp"
#include "swarm/update.hpp"
#include "swarm/versions.hpp"
#include "util/error.hpp"
#include "util/sha256.hpp"
#include "util/shell.hpp"
#include "util/strings.hpp"

namespace calzion::swarm {

namespace {

using plan::Action;
using plan::ActionKind;

class Applier {
public:
    Applier(const render::Deployment& desired, const state::HostState& recorded, exec::Runner& runner,
            events::Reporter& reporter, const backend::ApplyOptions& options)
        : m_desired(desired), m_recorded(recorded), m_runner(runner), m_reporter(reporter), m_options(options),
          m_instance_dir(recorded.instance_dir(desired.instance)), m_progress(runner, reporter) {}

    backend::ApplyResult run(const plan::Plan& plan) {
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
        if (m_progress.result().ok() && m_changed) {
            prune_secrets();
        }
        return m_progress.result();
    }

private:
    void prepare(const plan::Plan& plan) {
        bool any = std::any_of(plan.actions.begin(), plan.actions.end(), [](const Action& action) {
            return changes_service(action) || (action.desired != nullptr && action.init);
        });
        if (!any) {
            return;
        }
        m_planned = plan_specs(plan, m_desired, m_recorded, m_options);
        exec::Result result = m_runner.run(prepare_command(m_planned.preparation));
        if (!result.ok()) {
            throw Error(ErrorKind::operation_failed,
                        "preparing the network, volumes and secrets failed: " + util::one_line(result.err));
        }
    }

    // Every action after those of the services it comes after (see
    // backend::run_actions).
    void run_actions(const plan::Plan& plan) {
        backend::run_actions(plan, m_progress, [this](const Action& action) { carry_out(action); });
    }

    void carry_out(const Action& action) {
        if (action.kind == ActionKind::keep) {
            return;
        }
        try {
            bool touched = remove_leftovers(action);
            if (action.kind == ActionKind::create) {
                create(action);
            } else if (action.kind == ActionKind::replace) {
                replace(action);
            } else if (action.kind == ActionKind::unchanged && action.init) {
                run_init(action);
            }
            if (touched || action.kind != ActionKind::unchanged || action.init) {
                m_progress.applied(action.service);
            }
        } catch (...) {
            m_progress.fail(action, exec::current_error());
            throw;
        }
    }

    void create(const Action& action) {
        const ServiceSpec& spec = m_planned.specs.at(action.service);
        m_progress.step(action, "create (" + std::to_string(spec.replicas) + (spec.replicas == 1 ? " task)" : " tasks)"));
        try {
            converge(action, create_argv(spec));
            if (action.init) {
                run_init(action);
            }
        } catch (...) {
            // A new service that does not work goes again.
            m_progress.try_run(remove_argv({spec.name}));
            m_progress.try_run(forget_versions_argv(m_instance_dir, {spec.name}));
            throw;
        }
        mark_secrets(action.service);
    }

    void replace(const Action& action) {
        const ServiceSpec& spec = m_planned.specs.at(action.service);
        auto current = m_planned.view.services.find(spec.name);
        Argv update;
        bool force = true;
        if (current != m_planned.view.services.end() && action.current) {
            update = update_argv(current->second.spec, spec);
            force = update.empty() || needs_forced_restart(*action.current, current->second.spec, spec);
        }
        m_progress.step(action, std::string(force ? "forced rolling update (" : "update (") + spec.update.order + ")");
        converge(action, force ? forced(update, spec.name) : update);
        mark_secrets(action.service);
        if (action.init) {
            run_init(action);
        }
    }

    // Make one change and wait until it converged; throws what went wrong.
    void converge(const Action& action, const Argv& change) {
        const std::string& name = action.desired->container;
        exec::Result result =
            m_runner.run(exec::command(converge_argv(m_instance_dir, name, change, m_options.wait_timeout)));
        if (result.ok()) {
            ConvergeOutcome outcome = parse_converge(result.out);
            m_changed = true;
            m_progress.note(action, "converged (" + std::to_string(outcome.running) + "/" + std::to_string(outcome.wanted) +
                             " tasks running)");
            return;
        }
        m_changed = true;
        throw Error(ErrorKind::operation_failed, failure_text(parse_converge(result.out), m_options.wait_timeout));
    }

    // Run the service's init commands as jobs, in order, stopping at the
    // first that fails, then record the marker that they never run again.
    void run_init(const Action& action) {
        const render::RenderedService& service = *action.desired;
        const ServiceSpec& spec = m_planned.specs.at(service.name);
        for (const auto& command : service.init) {
            m_reporter.event({events::Event::Kind::step, m_runner.host(), service.name,
                              "init: " + exec::describe(command)});
            Argv job = run_job_argv(init_job_name(spec.name), init_job_argv(spec, m_desired.instance, command),
                                    m_options.wait_timeout);
            exec::Result result = m_runner.run(exec::command(job));
            if (!result.ok()) {
                throw Error(ErrorKind::operation_failed, init_failure(command, parse_job(result.out)));
            }
        }
        state::record_init(m_runner, m_recorded, m_desired.instance, service, m_desired.revision.value_or(0));
        m_progress.note(action, "init done");
    }

    std::string init_failure(const std::vector<std::string>& command, const JobOutcome& job) const {
        std::string text = "init command " + util::quoted(util::shell_join(command));
        if (job.verdict == "refused") {
            return text + ": docker refused its job: " + util::one_line(job.error);
        }
        text += job.verdict == "timeout" ? " did not finish in " + std::to_string(m_options.wait_timeout) + "s"
                                         : " failed (exit " + job.exit_code + ")";
        if (!job.error.empty() && job.verdict != "timeout") {
            text += ": " + util::quoted(job.error);
        }
        bool printed = job.output.find_first_not_of(" \t\r\n") != std::string::npos;
        return printed ? text + "; its last output lines:\n" + job.output : text + " and printed nothing";
    }

    bool remove_leftovers(const Action& action) {
        std::vector<std::string> names;
        for (const auto& workload : action.leftovers) {
            names.push_back(workload.name);
        }
        if (names.empty()) {
            return false;
        }
        exec::run_checked(m_runner, remove_argv(names), "docker service rm");
        m_progress.try_run(forget_versions_argv(m_instance_dir, names));
        m_changed = true;
        for (const auto& name : names) {
            m_progress.note(action, "removed service " + name);
        }
        return true;
    }

    // Best effort, as for plain docker: without the record, the next deploy
    // replaces the service once more.
    void mark_secrets(const std::string& service) {
        auto secrets = m_options.secrets.find(service);
        if (secrets == m_options.secrets.end()) {
            return;
        }
        Argv directory = util::script_argv("mkdir -p \"$1/secrets\" && chmod 700 \"$1/secrets\"", {m_instance_dir});
        Argv mark = state::mark_secrets_argv(m_instance_dir, service, util::sha256_hex(secrets->second));
        m_progress.try_run(exec::sequence_argv({directory, mark}, 0));
    }

    void prune_secrets() {
        try {
            exec::Result result = m_runner.run(exec::command(prune_secrets_argv(m_desired.instance)));
            for (const auto& name : util::split_lines(result.out)) {
                if (!name.empty()) {
                    m_reporter.event({events::Event::Kind::done, m_runner.host(), "", "removed Swarm secret " + name});
                }
            }
        } catch (...) {
            // Best effort: the next deploy removes them.
        }
    }


    const render::Deployment& m_desired;
    const state::HostState& m_recorded;
    exec::Runner& m_runner;
    events::Reporter& m_reporter;
    const backend::ApplyOptions& m_options;
    std::string m_instance_dir;
    PlannedSpecs m_planned;
    std::atomic<bool> m_changed{false};
    backend::ApplyProgress m_progress;
};

}  // namespace

backend::ApplyResult apply(const plan::Plan& plan, const render::Deployment& desired,
                           const state::HostState& recorded, exec::Runner& runner, events::Reporter& reporter,
                           const backend::ApplyOptions& options) {
    return Applier(desired, recorded, runner, reporter, options).run(plan);
}

}  // namespace calzion::swarm
