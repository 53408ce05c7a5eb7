#include "deploy/lifecycle.hpp"

#include <algorithm>

#include "exec/run_checked.hpp"
#include "ops/session.hpp"
#include "state/lock_admin.hpp"
#include "util/strings.hpp"

namespace calzion::deploy {

namespace {

// Works on the containers of one host while the lock is held.
class Lifecycler {
public:
    Lifecycler(LifecycleOutcome& outcome, exec::Runner& runner, const LifecycleRequest& request,
               const plan::Observed& observed, const backend::Backend& backend, events::Reporter& reporter,
               std::string instance_dir)
        : m_outcome(outcome), m_runner(runner), m_request(request), m_observed(observed), m_backend(backend),
          m_reporter(reporter), m_instance_dir(std::move(instance_dir)) {}

    void stop_all(const std::vector<state::RecordedService>& services) {
        for (auto service = services.rbegin(); service != services.rend(); ++service) {
            stop(*service);
        }
    }

    void start_all(const std::vector<state::RecordedService>& services) {
        for (const auto& service : services) {
            start(service);
        }
    }

    // A backend that restarts in place (Swarm: a forced rolling update)
    // restarts each service in start order while it keeps serving.
    void restart_all(const std::vector<state::RecordedService>& services) {
        for (const auto& service : services) {
            if (container_of(service) == nullptr) {
                throw Error(ErrorKind::operation_failed, "service " + util::quoted(service.name) +
                                                             " does not run on the host; deploy creates it again");
            }
            step(service, "restart");
            m_backend.restart(m_runner, ref(service), {m_request.wait_timeout, m_request.stable_seconds});
            done(service, "restarted", events::Event::Kind::done);
        }
    }

private:
    // The recorded service's container, as found by the instance label.
    const plan::Workload* container_of(const state::RecordedService& service) const {
        for (const auto& container : m_observed.workloads) {
            if (container.name == service.container) {
                return &container;
            }
        }
        return nullptr;
    }

    void stop(const state::RecordedService& service) {
        const plan::Workload* container = container_of(service);
        if (container == nullptr) {
            done(service, "no container", events::Event::Kind::note);
            return;
        }
        // "stopped": a Swarm service scaled to 0.
        if (container->status == "exited" || container->status == "created" || container->status == "dead" ||
            container->status == "stopped") {
            done(service, "already stopped", events::Event::Kind::note);
            return;
        }
        step(service, "stop");
        m_backend.stop(m_runner, ref(service));
        done(service, "stopped", events::Event::Kind::done);
    }

    void start(const state::RecordedService& service) {
        const plan::Workload* container = container_of(service);
        if (container == nullptr) {
            throw Error(ErrorKind::operation_failed, "service " + util::quoted(service.name) +
                                                         " has no container on the host; deploy creates it again");
        }
        // A restart stopped it a moment ago: what was observed before no longer holds.
        if (container->status == "running" && m_request.action == Lifecycle::start) {
            done(service, "already running", events::Event::Kind::note);
            return;
        }
        step(service, "start");
        m_backend.start(m_runner, ref(service), {m_request.wait_timeout, m_request.stable_seconds});
        done(service, "started", events::Event::Kind::done);
    }

    backend::WorkloadRef ref(const state::RecordedService& service) const {
        return {service.container, service.name, m_instance_dir};
    }

    void step(const state::RecordedService& service, const std::string& text) {
        m_reporter.event({events::Event::Kind::step, m_runner.host(), service.name, text});
    }

    void done(const state::RecordedService& service, const std::string& change, events::Event::Kind kind) {
        m_outcome.changes.push_back({service.name, change});
        m_reporter.event({kind, m_runner.host(), service.name, change});
    }

    LifecycleOutcome& m_outcome;
    exec::Runner& m_runner;
    const LifecycleRequest& m_request;
    const plan::Observed& m_observed;
    const backend::Backend& m_backend;
    events::Reporter& m_reporter;
    std::string m_instance_dir;
};

std::vector<std::string> names_of(const std::vector<state::RecordedService>& services) {
    std::vector<std::string> names;
    for (const auto& service : services) {
        names.push_back(service.name);
    }
    return names;
}

void record(ops::Session& session, const LifecycleRequest& request,
            const std::vector<state::RecordedService>& services, const std::optional<Error>& failure) {
    session.append_audit({to_string(request.action), names_of(services), session.observed().current_revision,
                          failure ? "failed" : "succeeded", failure ? failure->message() : ""});
}

// The services to act on on each host, from the services `running` there:
// those requested (all when none is), where they run. Throws Error(usage)
// when no host that could be read has the instance, or a requested service
// runs on none of them (unless a host could not be read: it may run there).
std::vector<std::vector<std::string>> shares_of(const LifecycleRequest& request,
                                                const std::vector<std::vector<std::string>>& running,
                                                const std::vector<LifecycleOutcome>& outcomes) {
    std::vector<std::string> everywhere;
    std::vector<std::string> read;
    bool unread = false;
    for (size_t i = 0; i < running.size(); ++i) {
        everywhere.insert(everywhere.end(), running[i].begin(), running[i].end());
        unread = unread || outcomes[i].error.has_value();
        if (!outcomes[i].error) {
            read.push_back(outcomes[i].host);
        }
    }
    if (everywhere.empty() && !unread) {
        throw Error(ErrorKind::usage,
                    "instance " + util::quoted(request.instance) + " is not deployed on " + util::comma_list(read));
    }
    std::sort(everywhere.begin(), everywhere.end());
    everywhere.erase(std::unique(everywhere.begin(), everywhere.end()), everywhere.end());
    for (const auto& name : request.services) {
        if (!unread && !std::binary_search(everywhere.begin(), everywhere.end(), name)) {
            throw unknown_service(name, request.instance, everywhere);
        }
    }
    std::vector<std::vector<std::string>> share(running.size());
    for (size_t i = 0; i < running.size(); ++i) {
        for (const auto& name : running[i]) {
            if (request.services.empty() ||
                std::find(request.services.begin(), request.services.end(), name) != request.services.end()) {
                share[i].push_back(name);
            }
        }
    }
    return share;
}

}  // namespace

std::string to_string(Lifecycle action) {
    switch (action) {
    case Lifecycle::start: return "start";
    case Lifecycle::stop: return "stop";
    case Lifecycle::restart: return "restart";
    }
    return "restart";
}

Error unknown_service(const std::string& name, const std::string& instance, const std::vector<std::string>& names) {
    std::string guess = util::did_you_mean(name, names);
    return Error(ErrorKind::usage, "unknown service " + util::quoted(name) + " in instance " + util::quoted(instance) +
                                       (guess.empty() ? "" : ", did you mean " + util::quoted(guess) + "?") +
                                       " (its services: " + util::comma_list(names) + ")");
}

std::vector<state::RecordedService> select_services(const state::HostState& observed, const std::string& instance,
                                                    const std::vector<std::string>& requested) {
    if (observed.current_revision == 0 || observed.recorded.empty()) {
        throw Error(ErrorKind::usage, "instance " + util::quoted(instance) + " is not deployed on the host");
    }
    std::vector<std::string> names = names_of(observed.recorded);
    for (const auto& name : requested) {
        if (std::find(names.begin(), names.end(), name) == names.end()) {
            throw unknown_service(name, instance, names);
        }
    }
    std::vector<state::RecordedService> selected;
    for (const auto& service : observed.recorded) {
        if (requested.empty() || std::find(requested.begin(), requested.end(), service.name) != requested.end()) {
            selected.push_back(service);
        }
    }
    return selected;
}

void lifecycle_on(LifecycleOutcome& outcome, exec::Runner& runner, const LifecycleRequest& request,
                  events::Reporter& reporter) {
    ops::SessionOptions options;
    options.state_dir = request.targets.state_dir_for(runner.host());
    options.instance = request.instance;
    options.command = to_string(request.action);
    options.lock_timeout = request.lock_timeout;
    options.backend = request.targets.backend;
    ops::Session session(runner, options);
    const state::HostState& observed = session.observed();
    const plan::Observed& runtime = session.runtime();
    const backend::Backend& engine = session.backend();
    auto services = select_services(observed, request.instance, request.services);
    Lifecycler lifecycler(outcome, runner, request, runtime, engine, reporter,
                          observed.instance_dir(request.instance));
    std::optional<Error> failure;
    try {
        if (request.action == Lifecycle::restart && engine.restarts_in_place()) {
            lifecycler.restart_all(services);
        } else {
            if (request.action != Lifecycle::start) {
                lifecycler.stop_all(services);
            }
            if (request.action != Lifecycle::stop) {
                lifecycler.start_all(services);
            }
        }
    } catch (const Error& error) {
        failure = error;
    }
    try {
        record(session, request, services, failure);
    } catch (const Error&) {
        // The first failure is the one to report; the audit line is lost with it.
        if (!failure) {
            throw;
        }
    }
    session.release();
    if (failure) {
        throw *failure;
    }
}

std::vector<LifecycleOutcome> lifecycle_all(const LifecycleRequest& request, events::Reporter& reporter) {
    if (request.targets.hosts.size() <= 1) {
        return on_every_host<LifecycleOutcome>(request.targets, [&](LifecycleOutcome& outcome, exec::Runner& runner) {
            lifecycle_on(outcome, runner, request, reporter);
        });
    }
    // Several hosts: an instance placed over them runs each service on one of
    // them. Read every host first, then act where the services run.
    std::vector<Connection> connections = connect_all(request.targets);
    std::vector<LifecycleOutcome> outcomes;
    std::vector<std::vector<std::string>> running(connections.size());
    ops::on_each(connections, outcomes, [&](size_t i) {
        ops::SessionOptions options;
        options.state_dir = request.targets.state_dir_for(connections[i].host);
        options.instance = request.instance;
        options.mode = ops::SessionOptions::Mode::read;
        options.backend = request.targets.backend;
        ops::Session look(*connections[i].runner, options);
        if (look.observed().current_revision > 0) {
            running[i] = names_of(look.observed().recorded);
        }
    });
    std::vector<std::vector<std::string>> share = shares_of(request, running, outcomes);
    ops::on_each(connections, outcomes, [&](size_t i) {
        if (share[i].empty()) {
            return;
        }
        LifecycleRequest here = request;
        here.services = share[i];
        lifecycle_on(outcomes[i], *connections[i].runner, here, reporter);
    });
    return outcomes;
}

}  // namespace calzion::deploy
