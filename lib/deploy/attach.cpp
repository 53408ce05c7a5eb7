#include "deploy/attach.hpp"

#include <algorithm>
#include <csignal>
#include <cstring>
#include <future>
#include <mutex>
#include <unistd.h>

#include "deploy/lifecycle.hpp"
#include "exec/executor.hpp"
#include "exec/local_terminal.hpp"
#include "ops/backends.hpp"
#include "ops/session.hpp"
#include "util/strings.hpp"

namespace calzion::deploy {

namespace {

// A service's container on one host.
struct Found {
    std::string host;
    exec::Runner* runner = nullptr;
    std::string container;
    // Swarm: the node whose task `container` is, when it is not `host` (the
    // manager); exec reaches that node at its address in the infrastructure file.
    std::string node;
    std::string exec_container;        // Swarm: the running task's container, else empty
    std::optional<Error> exec_error;   // Swarm: why no task can be entered
    std::optional<Error> error;
    bool deployed = false;               // whether the host has a revision of the instance
    std::vector<std::string> services;   // the services it records there
};

// A Swarm service: exec goes into one of its running tasks, on that task's
// node; logs read the service (docker service logs gathers every task).
void pick_task(Found& found, const plan::Workload& workload, const std::string& service) {
    for (const auto& task : workload.tasks) {
        if (task.state == "running" && !task.container.empty()) {
            found.exec_container = task.container;
            found.node = task.node == found.host ? "" : task.node;
            return;
        }
    }
    found.exec_error = Error(ErrorKind::operation_failed,
                             "service " + util::quoted(service) + " has no running task; calzion status shows why");
}

Found find_on(Connection& connection, const Targets& targets, const std::string& instance,
              const std::string& service) {
    Found found;
    found.host = connection.host;
    found.runner = connection.runner.get();
    if (!connection.runner) {
        found.error = connection.error;
        return found;
    }
    try {
        ops::SessionOptions options;
        options.state_dir = targets.state_dir_for(connection.host);
        options.instance = instance;
        options.mode = ops::SessionOptions::Mode::read;
        options.backend = targets.backend;
        ops::Session look(*connection.runner, options);
        const state::HostState& observed = look.observed();
        const plan::Observed& runtime = look.runtime();
        if (observed.current_revision == 0) {
            return found;
        }
        found.deployed = true;
        for (const auto& recorded : observed.recorded) {
            found.services.push_back(recorded.name);
        }
        // An instance placed over several hosts runs the service on one of them.
        if (std::find(found.services.begin(), found.services.end(), service) == found.services.end()) {
            return found;
        }
        state::RecordedService recorded = select_services(observed, instance, {service}).front();
        auto workload = std::find_if(runtime.workloads.begin(), runtime.workloads.end(),
                                     [&](const plan::Workload& w) { return w.name == recorded.container; });
        if (workload == runtime.workloads.end()) {
            throw Error(ErrorKind::operation_failed, "service " + util::quoted(service) +
                                                         " has no container on the host; deploy creates it again");
        }
        found.container = recorded.container;
        if (workload->replicas >= 0) {
            pick_task(found, *workload, service);
        }
    } catch (const Error& error) {
        found.error = error.host().empty() ? error.on_host(connection.host) : error;
    }
    return found;
}

// The hosts among `connections` that run the service. Throws the worst error of
// any host, or Error(usage) when no host has the instance or none runs the service.
std::vector<Found> locate(std::vector<Connection>& connections, const Targets& targets, const std::string& instance,
                          const std::string& service) {
    std::vector<Found> founds(connections.size());
    auto failures = exec::run_each(connections.size(), ops::k_host_limit, [&](size_t i) {
        founds[i] = find_on(connections[i], targets, instance, service);
    });
    for (size_t i = 0; i < founds.size(); ++i) {
        founds[i].host = connections[i].host;
        if (failures[i]) {
            founds[i].error = ops::on_host(*failures[i], connections[i].host);
        }
    }
    std::vector<Found> located;
    std::vector<std::optional<Error>> errors;
    std::string hosts;
    std::vector<std::string> services;
    bool deployed = false;
    for (auto& found : founds) {
        errors.push_back(found.error);
        hosts += (hosts.empty() ? "" : ", ") + found.host;
        deployed = deployed || found.deployed;
        for (const auto& name : found.services) {
            if (std::find(services.begin(), services.end(), name) == services.end()) {
                services.push_back(name);
            }
        }
        if (found.deployed && !found.error && !found.container.empty()) {
            located.push_back(std::move(found));
        }
    }
    throw_worst(errors);
    if (!deployed) {
        throw Error(ErrorKind::usage, "instance " + util::quoted(instance) + " is not deployed on " + hosts);
    }
    if (located.empty()) {
        throw connections.size() == 1 ? unknown_service(service, instance, services).on_host(connections.front().host)
                                      : unknown_service(service, instance, services);
    }
    return located;
}

// Writes one host's output to calzion's stdout or stderr, each line prefixed
// with the host, whole lines at a time.
class PrefixedOutput {
public:
    PrefixedOutput(std::string prefix, std::mutex& mutex) : m_prefix(std::move(prefix)), m_mutex(mutex) {}

    void add(exec::Stream stream, std::string_view data) {
        std::string& pending = stream == exec::Stream::out ? m_out : m_err;
        pending.append(data);
        size_t end = pending.rfind('\n');
        if (end == std::string::npos) {
            return;
        }
        emit(stream, pending.substr(0, end + 1));
        pending.erase(0, end + 1);
    }

    void flush() {
        for (auto stream : {exec::Stream::out, exec::Stream::err}) {
            std::string& pending = stream == exec::Stream::out ? m_out : m_err;
            if (!pending.empty()) {
                emit(stream, pending + "\n");
                pending.clear();
            }
        }
    }

private:
    void emit(exec::Stream stream, const std::string& lines) {
        std::string text;
        size_t start = 0;
        while (start < lines.size()) {
            size_t end = lines.find('\n', start);
            text += m_prefix + lines.substr(start, end - start + 1);
            start = end + 1;
        }
        std::lock_guard lock(m_mutex);
        exec::write_fully(stream == exec::Stream::out ? STDOUT_FILENO : STDERR_FILENO, text);
    }

    std::string m_prefix;
    std::mutex& m_mutex;
    std::string m_out;
    std::string m_err;
};

void write_raw(exec::Stream stream, std::string_view data) {
    exec::write_fully(stream == exec::Stream::out ? STDOUT_FILENO : STDERR_FILENO, data);
}

int signal_number(const std::string& name) {
    for (int number = 1; number < NSIG; ++number) {
        const char* abbreviation = sigabbrev_np(number);
        if (abbreviation != nullptr && name == abbreviation) {
            return number;
        }
    }
    return SIGTERM;
}

// A connection to Swarm node `node`, at its address in the infrastructure
// file (a node that the file does not name cannot be reached).
std::unique_ptr<exec::Runner> connect_node(const Targets& targets, const std::string& node,
                                           const std::string& manager) {
    if (!targets.settings.count(node)) {
        throw Error(ErrorKind::usage, "the running task is on node " + util::quoted(node) + " (manager " +
                                          util::quoted(manager) +
                                          "), which the infrastructure file does not name: add it under "
                                          "\"hosts\" with its address");
    }
    return targets.connect().connect(node);
}

}  // namespace

int stream_logs(const LogsRequest& request) {
    std::vector<Connection> connections = connect_all(request.targets);
    std::vector<Found> located = locate(connections, request.targets, request.instance, request.service);
    std::mutex output;
    std::vector<std::future<exec::Result>> pending;
    for (const Found& found : located) {
        pending.push_back(std::async(std::launch::async, [&, several = located.size() > 1] {
            exec::Command command;
            command.argv = ops::backend_named(request.targets.backend).logs_argv(found.container, request.options);
            command.keep_stdin_open = request.options.follow;
            PrefixedOutput prefixed(found.host + " | ", output);
            if (several) {
                command.on_output = [&](exec::Stream stream, std::string_view data) { prefixed.add(stream, data); };
            } else {
                command.on_output = write_raw;
            }
            exec::Result result = found.runner->run(command);
            prefixed.flush();
            return result;
        }));
    }
    std::vector<std::optional<Error>> errors;
    bool failed = false;
    for (auto& future : pending) {
        try {
            failed = !future.get().ok() || failed;
        } catch (const Error& error) {
            errors.push_back(error);
        }
    }
    throw_worst(errors);
    return failed ? 1 : 0;
}

int exec_in_service(const ExecRequest& request) {
    std::vector<Connection> connections = connect_all(request.targets);
    std::vector<Found> located = locate(connections, request.targets, request.instance, request.service);
    if (located.size() > 1) {
        std::vector<std::string> names;
        for (const Found& found : located) {
            names.push_back(found.host);
        }
        std::string hosts = util::comma_list(names);
        throw Error(ErrorKind::usage, "service " + util::quoted(request.service) + " of " +
                                          util::quoted(request.instance) + " runs on " +
                                          std::to_string(located.size()) + " hosts (" + hosts +
                                          "): choose one with --host");
    }
    const Found& found = located.front();
    if (found.exec_error) {
        throw found.exec_error->on_host(found.host);
    }
    exec::Command command;
    std::string container = found.exec_container.empty() ? found.container : found.exec_container;
    command.argv = ops::backend_named(request.targets.backend).exec_argv(container, request.command, request.options);
    exec::Attach how;
    how.tty = request.options.tty;
    how.stdin = request.options.interactive;
    exec::Result result;
    std::string host = found.node.empty() ? found.host : found.node;
    try {
        std::unique_ptr<exec::Runner> node_runner;
        if (!found.node.empty()) {
            node_runner = connect_node(request.targets, found.node, found.host);
        }
        result = (node_runner ? *node_runner : *found.runner).attach(command, how);
    } catch (const Error& error) {
        throw error.host().empty() ? error.on_host(host) : error;
    }
    return result.signal.empty() ? result.exit_code : 128 + signal_number(result.signal);
}

}  // namespace calzion::deploy
