#include "common.hpp"

#include <algorithm>
#include <set>
#include <iostream>
#include <unistd.h>

#include "infra/checks.hpp"
#include "infra/infrastructure.hpp"
#include "tmpl/parser.hpp"
#include "render/sources.hpp"
#include "output/error_json.hpp"
#include "output/live_reporter.hpp"
#include "terminal.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

extern char** environ;

namespace calzion::cli {

std::map<std::string, std::string> process_environment() {
    std::map<std::string, std::string> values;
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        std::string pair = *entry;
        size_t equals = pair.find('=');
        if (equals != std::string::npos && equals > 0) {
            values.emplace(pair.substr(0, equals), pair.substr(equals + 1));
        }
    }
    return values;
}

const std::optional<infra::Infrastructure>& infrastructure_for(const Invocation& run) {
    // Read once per process: every command works on one instance.
    static std::optional<std::optional<infra::Infrastructure>> cache;
    if (!cache) {
        auto file = infra::find_file(run.global.infra, run.template_file);
        cache.emplace(file ? std::optional<infra::Infrastructure>(infra::load(*file)) : std::nullopt);
    }
    return *cache;
}

void check_infrastructure(const Invocation& run, const render::Source& source) {
    const auto& infrastructure = infrastructure_for(run);
    if (!infrastructure) {
        return;
    }
    Diagnostics ignored(source.text);
    std::vector<std::string> services;
    for (const auto& service : tmpl::parse_template(source.root, ignored, true).services) {
        services.push_back(service.name);
    }
    infra::check_services(*infrastructure, run.instance, services);
    // An expose across hosts needs a published port; on a swarm every
    // service reaches every other on the instance's overlay network.
    auto check_place = [&](const infra::Instance& instance) {
        if (instance.backend != "swarm") {
            render::check_place(source, instance.place);
        }
    };
    if (run.instance.empty()) {
        for (const auto& instance : infrastructure->instances) {
            check_place(instance);
        }
    } else if (const infra::Instance* instance = infrastructure->instance(run.instance)) {
        check_place(*instance);
    }
}

render::Variables variables_for(const Invocation& run) {
    render::VariableSources sources;
    const auto& infrastructure = infrastructure_for(run);
    if (const infra::Instance* instance = infrastructure ? infrastructure->instance(run.instance) : nullptr) {
        sources.instance_vars = instance->vars;
    }
    sources.set = run.global.set;
    sources.vars_files = run.global.vars_files;
    sources.environment = process_environment();
    return render::gather_variables(sources);
}

namespace {

// The hosts of the infrastructure file a command works on: the instance's, or
// every host when the command names no instance; --host picks among them.
std::vector<std::string> infra_hosts(const infra::Infrastructure& infrastructure, const Invocation& run) {
    const infra::Instance* instance = infrastructure.instance(run.instance);
    if (instance == nullptr && !run.instance.empty()) {
        if (run.global.hosts.empty()) {
            throw Error(ErrorKind::usage, "instance " + util::quoted(run.instance) + " is not in " +
                                              util::quoted(infrastructure.file) +
                                              ": add it under \"instances\", or name its hosts with --host");
        }
        return run.global.hosts;
    }
    if (instance != nullptr && instance->backend == "swarm") {
        // calzion talks to a swarm through its manager only.
        for (const auto& host : run.global.hosts) {
            if (host != instance->manager) {
                throw Error(ErrorKind::usage, "--host " + util::quoted(host) + " is not the manager of instance " +
                                                  util::quoted(run.instance) + " (" + util::quoted(instance->manager) +
                                                  "), which uses the swarm backend: calzion works on a swarm "
                                                  "through its manager alone");
            }
        }
        return {instance->manager};
    }
    std::vector<std::string> scope;
    if (instance != nullptr) {
        scope = instance->hosts;
    } else {
        for (const auto& host : infrastructure.hosts) {
            scope.push_back(host.name);
        }
    }
    if (run.global.hosts.empty()) {
        return scope;
    }
    for (const auto& host : run.global.hosts) {
        if (std::find(scope.begin(), scope.end(), host) == scope.end()) {
            throw Error(ErrorKind::usage, "--host " + util::quoted(host) + " is not one of the hosts of " +
                                              (instance ? "instance " + util::quoted(run.instance) : util::quoted(infrastructure.file)) +
                                              " (" + util::comma_list(scope) + ")");
        }
    }
    return run.global.hosts;
}

}  // namespace

namespace {

// A swarm has one router: it runs on the edges of every swarm instance with
// the same manager (an instance without `edges`: the manager), so that
// deploying one instance never moves it off another's edges.
std::vector<std::string> swarm_edges(const infra::Infrastructure& infrastructure, const infra::Instance& instance) {
    std::set<std::string> edges;
    if (instance.backend != "swarm") {
        return {};
    }
    for (const auto& other : infrastructure.instances) {
        if (other.backend != "swarm" || other.manager != instance.manager) {
            continue;
        }
        if (other.edges.empty()) {
            edges.insert(other.manager);
        }
        edges.insert(other.edges.begin(), other.edges.end());
    }
    if (instance.edges.empty()) {
        edges.insert(instance.manager);  // a preview, derived rather than listed
    }
    edges.insert(instance.edges.begin(), instance.edges.end());
    return {edges.begin(), edges.end()};
}

}  // namespace

deploy::Targets targets_for(const Invocation& run) {
    deploy::Targets targets;
    targets.hosts = run.global.hosts;
    targets.ssh.config_file = run.global.ssh_config;
    targets.ssh.accept_new_host_key = run.global.accept_new_host_key;
    if (const auto& infrastructure = infrastructure_for(run)) {
        for (const auto& host : infrastructure->hosts) {
            targets.settings[host.name] = {host.address, host.state_dir};
        }
        targets.hosts = infra_hosts(*infrastructure, run);
        if (const infra::Instance* instance = infrastructure->instance(run.instance)) {
            targets.backend = instance->backend;
            targets.edges = swarm_edges(*infrastructure, *instance);
        }
        targets.router.image = infrastructure->router.image;
        targets.router.http_port = infrastructure->router.http_port;
    }
    targets.connector = deploy::host_connector(targets);
    return targets;
}

std::unique_ptr<events::Reporter> make_reporter(const Invocation& run, const std::vector<std::string>& hosts) {
    if (run.global.quiet || run.dry_run || !is_smart_terminal(STDERR_FILENO)) {
        return std::make_unique<events::LineReporter>(std::cerr, run.global.quiet);
    }
    output::LiveOptions options;
    options.color = use_color(run.global.color);
    options.unicode = locale_is_utf8();
    options.hosts = hosts;
    options.screen_size = [] { return terminal_size(STDERR_FILENO); };
    return std::make_unique<output::LiveReporter>(std::cerr, std::move(options));
}

int duration_seconds(const std::string& text, const std::string& option) {
    size_t digits = text.find_first_not_of("0123456789");
    std::string number = text.substr(0, digits);
    std::string unit = digits == std::string::npos ? "s" : text.substr(digits);
    int scale = unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : 0;
    if (number.empty() || number.size() > 6 || scale == 0) {
        throw Error(ErrorKind::usage, option + " takes a duration such as 30, 30s, 2m or 1h, not " + util::quoted(text));
    }
    return std::stoi(number) * scale;
}

namespace {
bool g_json_printed = false;
}  // namespace

void print_json(const Invocation& run, const std::string& document, const std::optional<Error>& error) {
    std::cout << output::json_envelope(run.command, document, error) << std::flush;
    g_json_printed = true;
}

bool json_printed() { return g_json_printed; }

int exit_for_host_errors(const std::vector<std::optional<Error>>& errors, const Invocation& run,
                         const std::string& output) {
    std::optional<Error> worst = deploy::worst_of(errors);
    if (run.global.json) {
        print_json(run, output.empty() ? "{}" : output, worst);
    } else {
        std::cout << output << std::flush;
    }
    if (!worst) {
        return 0;
    }
    // Every host's error is said, each naming its host; the worst comes last
    // and decides the exit code.
    bool skipped_worst = false;
    for (const auto& error : errors) {
        if (!error) {
            continue;
        }
        if (!skipped_worst && error->host() == worst->host() && error->message() == worst->message()) {
            skipped_worst = true;
            continue;
        }
        print_error(*error, use_color(run.global.color));
    }
    if (!run.global.json) {
        throw *worst;
    }
    print_error(*worst, use_color(run.global.color));
    return exit_code_for(worst->kind());
}

}  // namespace calzion::cli
