#include <algorithm>
#include <map>
#include <set>

#include "tmpl/parser.hpp"
#include "util/strings.hpp"

namespace calzion::tmpl {

namespace {

std::vector<std::string> service_names(const Template& spec) {
    std::vector<std::string> names;
    for (const auto& service : spec.services) {
        names.push_back(service.name);
    }
    return names;
}

std::string unknown_service(const std::string& name, const Template& spec) {
    std::string message = "there is no service " + util::quoted(name);
    std::string guess = util::did_you_mean(name, service_names(spec));
    return guess.empty() ? message : message + ", did you mean " + util::quoted(guess) + "?";
}

bool port_exists(const Service& target, const std::string& port) {
    // A number always names a port: the image may listen on it without registering it.
    if (!port.empty() && port.find_first_not_of("0123456789") == std::string::npos) {
        return true;
    }
    return std::any_of(target.registered.begin(), target.registered.end(),
                       [&](const auto& entry) { return entry.second == port; });
}

void check_expose(const Service& service, const Expose& expose, const Template& spec, Diagnostics& diagnostics) {
    const Service* target = spec.find(expose.service);
    std::string prefix = "service " + util::quoted(service.name) + " exposes " +
                         util::quoted(expose.service + ":" + expose.port) + ", but ";
    if (!target) {
        diagnostics.add(expose.where, prefix + unknown_service(expose.service, spec));
        return;
    }
    if (!port_exists(*target, expose.port)) {
        std::string names;
        for (const auto& [number, name] : target->registered) {
            names += (names.empty() ? "" : ", ") + util::quoted(name);
        }
        diagnostics.add(expose.where, prefix + util::quoted(target->name) + " registers no port named " +
                                          util::quoted(expose.port) +
                                          (names.empty() ? " (it registers none)" : " (it registers " + names + ")"));
    }
}

// Depth-first search for a cycle through depends_on and expose edges.
class CycleFinder {
public:
    explicit CycleFinder(const Template& spec) : m_spec(spec) {}

    std::vector<std::string> find() {
        for (const auto& service : m_spec.services) {
            if (visit(service.name)) {
                return m_path;
            }
        }
        return {};
    }

private:
    bool visit(const std::string& name) {
        if (m_state[name] == 2) {
            return false;
        }
        if (m_state[name] == 1) {
            auto start = std::find(m_path.begin(), m_path.end(), name);
            m_path.erase(m_path.begin(), start);
            m_path.push_back(name);
            return true;
        }
        m_state[name] = 1;
        m_path.push_back(name);
        if (const Service* service = m_spec.find(name)) {
            for (const auto& dependency : dependencies_of(*service)) {
                if (m_spec.find(dependency) && visit(dependency)) {
                    return true;
                }
            }
        }
        m_path.pop_back();
        m_state[name] = 2;
        return false;
    }

    static std::vector<std::string> dependencies_of(const Service& service) {
        std::vector<std::string> names = service.depends_on;
        for (const auto& expose : service.expose) {
            names.push_back(expose.service);
        }
        return names;
    }

    const Template& m_spec;
    std::map<std::string, int> m_state;  // 0 unseen, 1 on the path, 2 done
    std::vector<std::string> m_path;
};

void check_published_ports(const Template& spec, Diagnostics& diagnostics) {
    std::map<std::string, std::string> owner;
    for (const auto& service : spec.services) {
        for (const auto& port : service.ports) {
            if (port.host_port == 0) {
                continue;
            }
            std::string key = port.host_ip + ":" + std::to_string(port.host_port) + "/" + port.protocol;
            auto [it, inserted] = owner.emplace(key, service.name);
            if (!inserted) {
                diagnostics.add(service.where, "host port " + std::to_string(port.host_port) + "/" + port.protocol +
                                                   " is published by both " + util::quoted(it->second) + " and " +
                                                   util::quoted(service.name));
            }
        }
    }
}

}  // namespace

void check_relations(const Template& spec, Diagnostics& diagnostics) {
    for (const auto& service : spec.services) {
        for (const auto& dependency : service.depends_on) {
            if (!spec.find(dependency)) {
                diagnostics.add(service.where, "service " + util::quoted(service.name) + " depends on " +
                                                   util::quoted(dependency) + ", but " +
                                                   unknown_service(dependency, spec));
            } else if (dependency == service.name) {
                diagnostics.add(service.where, "service " + util::quoted(service.name) + " depends on itself");
            }
        }
        for (const auto& expose : service.expose) {
            check_expose(service, expose, spec, diagnostics);
        }
    }
    auto cycle = CycleFinder(spec).find();
    if (cycle.size() > 2) {
        std::string path;
        for (const auto& name : cycle) {
            path += (path.empty() ? "" : " -> ") + util::quoted(name);
        }
        diagnostics.add(spec.find(cycle.front())->where, "dependency cycle: " + path);
    }
    check_published_ports(spec, diagnostics);
}

}  // namespace calzion::tmpl
