#include "router/observe.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "exec/run_checked.hpp"
#include "exec/script_status.hpp"
#include "router/container.hpp"
#include "router/scripts.hpp"
#include "state/lock.hpp"
#include "state/revision.hpp"
#include "state/sections.hpp"
#include "tmpl/names.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace calzion::router {

using nlohmann::json;

namespace {

// The routes of one instance's current revision, each with where it leads:
// to `seen.swarm_routes` for a swarm instance, else to `seen.routes`.
void add_routes(Observation& seen, const state::Revision& revision, const std::string& instance,
                const std::string& host, const std::string& file) {
    const render::Deployment& deployment = revision.deployment;
    bool swarm = std::any_of(deployment.services.begin(), deployment.services.end(),
                             [](const render::RenderedService& service) { return service.swarm.has_value(); });
    std::vector<Route>& routes = swarm ? seen.swarm_routes : seen.routes;
    for (size_t i = 0; i < deployment.services.size(); ++i) {
        const render::RenderedService& service = deployment.services[i];
        for (size_t j = 0; j < service.routes.size(); ++j) {
            const render::Route& route = service.routes[j];
            if (route.port < 1 || route.port > 65535) {
                std::string at = "services[" + std::to_string(i) + "].routes[" + std::to_string(j) + "].port";
                throw state::unreadable_revision(host, file, "invalid deployment document: " + util::quoted(at) +
                                                                 " must be a port number from 1 to 65535");
            }
            routes.push_back({route.domain, route.port, instance, service.name, service.container, deployment.network});
        }
    }
}

// "/calzion-router running HASH bridge cz-a" for each labelled container: the
// one of the router's name.
std::optional<RouterContainer> container_in(const std::string& text) {
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        std::istringstream words(line);
        std::string name;
        RouterContainer container;
        words >> name >> container.status >> container.spec_hash;
        if (name != std::string("/") + k_container) {
            continue;
        }
        for (std::string network; words >> network;) {
            container.networks.insert(network);
        }
        return container;
    }
    return std::nullopt;
}

[[noreturn]] void fail_observing(const exec::Result& result) {
    auto sections = state::sections_of(result.out);
    if (result.exit_code == exec::k_status_denied) {
        throw Error(ErrorKind::permission,
                    "cannot write " + util::quoted(state::trimmed(sections["denied"])) + ": permission denied");
    }
    if (result.exit_code == exec::k_status_lock_held) {
        throw Error(ErrorKind::lock_held, "the router is being changed by " +
                                              state::describe_owner(state::trimmed(sections["held"])) +
                                              "; retry later");
    }
    throw Error(ErrorKind::operation_failed,
                "cannot read the state for the router on the host: " + util::one_line(result.err));
}

}  // namespace

Observation parse_observation(const std::string& output, const std::string& host) {
    auto sections = state::sections_of(output);
    if (sections.count("docker-failed")) {
        throw Error(ErrorKind::operation_failed, "docker on the host did not answer (is the engine running?)");
    }
    if (!sections.count("state_dir") || !sections.count("end")) {
        throw Error(ErrorKind::operation_failed, "the host's answer about the router was cut short");
    }
    Observation seen;
    seen.state_dir = state::trimmed(sections["state_dir"]);
    state::state_format_in(sections["format"], seen.state_dir);
    seen.config_sha256 = state::trimmed(sections["config"]);
    seen.container = container_in(sections["container"]);
    for (const auto& [name, text] : sections) {
        // "instance NAME N": the current revision N of instance NAME.
        if (!util::starts_with(name, "instance ")) {
            continue;
        }
        std::istringstream words(name.substr(9));
        std::string instance;
        std::string current;
        words >> instance >> current;
        // calzion makes no such directory: somebody else's, not an instance.
        // Without its revision file, the instance is being destroyed.
        if (tmpl::dns_label_problem(instance) || state::number_in(current) < 1 || state::trimmed(text).empty()) {
            continue;
        }
        std::string file = state::revision_file(seen.state_dir + "/instances/" + instance, state::number_in(current));
        add_routes(seen, state::parse_revision(text, host, file), instance, host, file);
    }
    return seen;
}

std::vector<Route> collect_routes(exec::Runner& runner, const std::string& state_dir) {
    exec::Result result = runner.run(exec::command(observe_argv(state_dir)));
    if (!result.ok()) {
        fail_observing(result);
    }
    Observation seen = parse_observation(result.out, runner.host());
    std::vector<Route> routes = std::move(seen.routes);
    routes.insert(routes.end(), seen.swarm_routes.begin(), seen.swarm_routes.end());
    return routes;
}

std::pair<std::unique_ptr<state::Lock>, Observation> lock_and_observe(exec::Runner& runner,
                                                                      const std::string& state_dir,
                                                                      int wait_seconds) {
    state::LockAnswer answer = state::take_lock(
        runner, exec::command(lock_and_observe_argv(state_dir, state::owner_line("router sync"), wait_seconds)),
        wait_seconds);
    if (answer.lock) {
        Observation seen = parse_observation(answer.output, runner.host());
        return {std::move(answer.lock), std::move(seen)};
    }
    if (answer.result.ok()) {
        answer.result.exit_code = -1;  // ended without the whole answer
    }
    fail_observing(answer.result);
}

}  // namespace calzion::router
