#include "router/observe.hpp"

#include <nlohmann/json.hpp>
#include <sstream>

#include "exec/run_checked.hpp"
#include "exec/script_status.hpp"
#include "router/container.hpp"
#include "router/scripts.hpp"
#include "state/sections.hpp"
#include "tmpl/names.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace calzion::router {

using nlohmann::json;

namespace {

// Reads the fields of one instance's revision document that routing needs,
// leniently: a revision written by another calzion may hold fields this one
// does not know, and the router of a host serves every instance on it.
class RevisionReader {
public:
    RevisionReader(std::string instance, std::vector<Route>& routes) : m_instance(std::move(instance)), m_routes(routes) {}

    void read(const std::string& text) {
        json document = json::parse(text, nullptr, false);
        if (document.is_discarded()) {
            throw Error(ErrorKind::invalid_data,
                        "the current revision of instance " + util::quoted(m_instance) + " is not JSON");
        }
        const json& deployment = member(document, "deployment", "");
        std::string network = text_of(member(deployment, "network", "deployment"), "deployment.network");
        const json& services = member(deployment, "services", "deployment");
        if (!services.is_array()) {
            invalid("deployment.services", "must be a list");
        }
        for (size_t i = 0; i < services.size(); ++i) {
            read_service(services[i], "deployment.services[" + std::to_string(i) + "]", network);
        }
    }

private:
    [[noreturn]] void invalid(const std::string& path, const std::string& problem) const {
        throw Error(ErrorKind::invalid_data, "cannot read the routes of instance " + util::quoted(m_instance) +
                                                 ": " + util::quoted(path) + " " + problem);
    }

    const json& member(const json& object, const char* key, const std::string& path) const {
        std::string at = path.empty() ? key : path + "." + key;
        if (!object.is_object() || !object.contains(key)) {
            invalid(at, "is missing");
        }
        return object[key];
    }

    std::string text_of(const json& value, const std::string& path) const {
        if (!value.is_string()) {
            invalid(path, "must be a string");
        }
        return value.get<std::string>();
    }

    void read_service(const json& service, const std::string& path, const std::string& network) {
        std::string name = text_of(member(service, "name", path), path + ".name");
        std::string container = text_of(member(service, "container", path), path + ".container");
        if (!service.contains("routes")) {
            return;
        }
        const json& routes = service["routes"];
        if (!routes.is_array()) {
            invalid(path + ".routes", "must be a list");
        }
        for (size_t i = 0; i < routes.size(); ++i) {
            std::string at = path + ".routes[" + std::to_string(i) + "]";
            std::string domain = text_of(member(routes[i], "domain", at), at + ".domain");
            const json& port = member(routes[i], "port", at);
            if (!port.is_number_integer() || port.get<long long>() < 1 || port.get<long long>() > 65535) {
                invalid(at + ".port", "must be a port number from 1 to 65535");
            }
            m_routes.push_back({domain, port.get<int>(), m_instance, name, container, network});
        }
    }

    std::string m_instance;
    std::vector<Route>& m_routes;
};

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

Observation parse_observation(const std::string& output) {
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
        if (!util::starts_with(name, "instance ")) {
            continue;
        }
        std::string instance = name.substr(9);
        // calzion makes no such directory: somebody else's, not an instance.
        if (tmpl::dns_label_problem(instance) || state::trimmed(text).empty()) {
            continue;
        }
        RevisionReader(instance, seen.routes).read(text);
    }
    return seen;
}

std::vector<Route> collect_routes(exec::Runner& runner, const std::string& state_dir) {
    exec::Result result = runner.run(exec::command(observe_argv(state_dir)));
    if (!result.ok()) {
        fail_observing(result);
    }
    return parse_observation(result.out).routes;
}

std::pair<std::unique_ptr<state::Lock>, Observation> lock_and_observe(exec::Runner& runner,
                                                                      const std::string& state_dir,
                                                                      int wait_seconds) {
    state::LockAnswer answer = state::take_lock(
        runner, exec::command(lock_and_observe_argv(state_dir, state::owner_line("router sync"), wait_seconds)),
        wait_seconds);
    if (answer.lock) {
        Observation seen = parse_observation(answer.output);
        return {std::move(answer.lock), std::move(seen)};
    }
    if (answer.result.ok()) {
        answer.result.exit_code = -1;  // ended without the whole answer
    }
    fail_observing(answer.result);
}

}  // namespace calzion::router
