#include <algorithm>
#include <map>
#include <optional>
#include <unordered_map>

#include "tmpl/parser.hpp"
#include "util/strings.hpp"

namespace calzion::tmpl {

namespace {

// A service another one needs started first, and where the need is written.
struct Edge {
    std::string to;
    SourceLocation where;
};

// The services in a cycle, the first repeated at the end, and where the edge out of
// the first one is written.
struct Cycle {
    std::vector<std::string> path;
    SourceLocation where;
};

// Services by name, for lookups in templates of thousands of services.
class ServiceIndex {
public:
    explicit ServiceIndex(const Template& spec) : m_spec(spec) {
        for (size_t i = 0; i < spec.services.size(); ++i) {
            m_index.emplace(spec.services[i].name, i);
        }
    }
    std::optional<size_t> find(const std::string& name) const {
        auto found = m_index.find(name);
        return found == m_index.end() ? std::nullopt : std::optional(found->second);
    }
    // "there is no service "x"", with a did-you-mean.
    std::string unknown(const std::string& name) const {
        std::vector<std::string> names;
        for (const auto& service : m_spec.services) {
            names.push_back(service.name);
        }
        std::string message = "there is no service " + util::quoted(name);
        std::string guess = util::did_you_mean(name, names);
        return guess.empty() ? message : message + ", did you mean " + util::quoted(guess) + "?";
    }

private:
    const Template& m_spec;
    std::unordered_map<std::string, size_t> m_index;
};

std::vector<Edge> edges_of(const Service& service) {
    std::vector<Edge> edges;
    for (size_t i = 0; i < service.depends_on.size(); ++i) {
        bool located = i < service.depends_on_where.size();
        edges.push_back({service.depends_on[i], located ? service.depends_on_where[i] : service.where});
    }
    for (const auto& expose : service.expose) {
        edges.push_back({expose.service, expose.where});
    }
    return edges;
}

bool port_exists(const Service& target, const std::string& port) {
    // A number always names a port: the image may listen on it without registering it.
    if (!port.empty() && port.find_first_not_of("0123456789") == std::string::npos) {
        return true;
    }
    return std::any_of(target.registered.begin(), target.registered.end(),
                       [&](const auto& entry) { return entry.second == port; });
}

void check_expose(const Service& service, const Expose& expose, const Template& spec, const ServiceIndex& index,
                  Diagnostics& diagnostics) {
    std::string prefix = "service " + util::quoted(service.name) + " exposes " +
                         util::quoted(expose.service + ":" + expose.port) + ", but ";
    auto target = index.find(expose.service);
    if (!target) {
        diagnostics.add(expose.where, prefix + index.unknown(expose.service));
        return;
    }
    const Service& other = spec.services[*target];
    if (!port_exists(other, expose.port)) {
        std::string names;
        for (const auto& [number, name] : other.registered) {
            names += (names.empty() ? "" : ", ") + util::quoted(name);
        }
        diagnostics.add(expose.where, prefix + util::quoted(other.name) + " registers no port named " +
                                          util::quoted(expose.port) +
                                          (names.empty() ? " (it registers none)" : " (it registers " + names + ")"));
    }
}

void check_depends_on(const Service& service, const ServiceIndex& index, Diagnostics& diagnostics) {
    for (size_t i = 0; i < service.depends_on.size(); ++i) {
        const std::string& dependency = service.depends_on[i];
        SourceLocation where = i < service.depends_on_where.size() ? service.depends_on_where[i] : service.where;
        std::string prefix = "service " + util::quoted(service.name) + " depends on " + util::quoted(dependency);
        if (!index.find(dependency)) {
            diagnostics.add(where, prefix + ", but " + index.unknown(dependency));
        } else if (dependency == service.name) {
            diagnostics.add(where, "service " + util::quoted(service.name) + " depends on itself");
        }
    }
}

// The cycle closed by an edge back to `to`, which is on the search path `stack`.
Cycle cycle_on(const std::vector<std::pair<size_t, size_t>>& stack, size_t to, const Template& spec,
               const std::vector<std::vector<Edge>>& edges) {
    auto first = std::find_if(stack.begin(), stack.end(), [&](const auto& entry) { return entry.first == to; });
    Cycle cycle;
    for (auto it = first; it != stack.end(); ++it) {
        cycle.path.push_back(spec.services[it->first].name);
    }
    cycle.path.push_back(spec.services[to].name);
    // Each entry's second is one past the edge the search followed out of it.
    cycle.where = edges[first->first][first->second - 1].where;
    return cycle;
}

// Depth-first search, without recursion, for a cycle through depends_on and expose
// edges; a service depending on itself is reported on its own, not here.
std::optional<Cycle> find_cycle(const Template& spec, const ServiceIndex& index) {
    size_t count = spec.services.size();
    std::vector<std::vector<Edge>> edges(count);
    for (size_t i = 0; i < count; ++i) {
        edges[i] = edges_of(spec.services[i]);
    }
    std::vector<int> state(count, 0);  // 0 unseen, 1 on the search path, 2 done
    for (size_t root = 0; root < count; ++root) {
        if (state[root] != 0) {
            continue;
        }
        std::vector<std::pair<size_t, size_t>> stack = {{root, 0}};  // service, next edge
        state[root] = 1;
        while (!stack.empty()) {
            size_t current = stack.back().first;
            if (stack.back().second == edges[current].size()) {
                state[current] = 2;
                stack.pop_back();
                continue;
            }
            auto to = index.find(edges[current][stack.back().second++].to);
            if (!to || *to == current || state[*to] == 2) {
                continue;
            }
            if (state[*to] == 1) {
                return cycle_on(stack, *to, spec, edges);
            }
            state[*to] = 1;
            stack.push_back({*to, 0});
        }
    }
    return std::nullopt;
}

// "a" -> "b" -> "a"; a long cycle is shortened in the middle.
std::string describe_cycle(const std::vector<std::string>& path) {
    constexpr size_t k_shown = 8;
    std::string out;
    for (size_t i = 0; i < path.size(); ++i) {
        if (path.size() > k_shown + 2 && i == k_shown - 2) {
            out += " -> ... (" + std::to_string(path.size() - k_shown) + " more)";
            i = path.size() - 3;
            continue;
        }
        out += (out.empty() ? "" : " -> ") + util::quoted(path[i]);
    }
    return out;
}

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
    ServiceIndex index(spec);
    for (const auto& service : spec.services) {
        check_depends_on(service, index, diagnostics);
        for (const auto& expose : service.expose) {
            check_expose(service, expose, spec, index, diagnostics);
        }
    }
    if (auto cycle = find_cycle(spec, index)) {
        diagnostics.add(cycle->where, "dependency cycle: " + describe_cycle(cycle->path));
    }
    check_published_ports(spec, diagnostics);
}

}  // namespace calzion::tmpl
