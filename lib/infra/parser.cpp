#include "infra/parser.hpp"

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>
#include <string_view>

#include "infra/domain.hpp"
#include "util/host_spec.hpp"
#include "tmpl/names.hpp"
#include "tmpl/reader.hpp"
#include "util/strings.hpp"

namespace calzion::infra {

namespace {

using tmpl::Node;
using tmpl::Reader;

class Parser {
public:
    explicit Parser(Diagnostics& diagnostics) : m_diagnostics(diagnostics), m_reader(diagnostics, false) {}

    Infrastructure parse(const Node& root) {
        m_result.file = root.where.file;
        tmpl::check_duplicate_keys(root, m_diagnostics);
        if (!root.is_mapping()) {
            m_reader.error(root, "an infrastructure file is a mapping with \"hosts\" and \"instances\", not " +
                                     tmpl::describe(root));
            return m_result;
        }
        tmpl::check_known_keys(root, {"hosts", "instances", "router", "registry"}, "the infrastructure file",
                               m_diagnostics);
        for (const auto& [key, value] : root.entries) {
            if (key.text == "hosts") {
                read_hosts(value);
            }
        }
        for (const auto& [key, value] : root.entries) {
            if (key.text == "instances") {
                read_instances(value);
            } else if (key.text == "router") {
                read_router(value);
            } else if (key.text == "registry") {
                read_registry(value);
            }
        }
        check_domains_unique();
        return m_result;
    }

private:
    bool mapping(const Node& node, const std::string& what) {
        if (node.is_mapping()) {
            return true;
        }
        m_reader.error(node, what + " must be a mapping, not " + tmpl::describe(node));
        return false;
    }

    void name_ok(const Node& key, const std::string& kind) {
        if (auto problem = tmpl::dns_label_problem(key.text)) {
            m_reader.error(key, "invalid " + kind + " name " + util::quoted(key.text) + ": " + *problem);
        }
    }

    void read_hosts(const Node& hosts) {
        if (!mapping(hosts, "\"hosts\"")) {
            return;
        }
        for (const auto& [key, value] : hosts.entries) {
            name_ok(key, "host");
            Host host;
            host.name = key.text;
            host.where = key.where;
            std::string what = "host " + util::quoted(key.text);
            const Node* address = &value;
            if (value.is_mapping()) {
                tmpl::check_known_keys(value, {"address", "state_dir", "private_address"}, what, m_diagnostics);
                address = nullptr;
                for (const auto& [field, setting] : value.entries) {
                    if (field.text == "address") {
                        address = &setting;
                    } else if (field.text == "private_address") {
                        host.private_address = m_reader.string(setting, "\"private_address\" of " + what).value_or("");
                        if (host.private_address.find_first_not_of("0123456789abcdefABCDEF.:-") != std::string::npos &&
                            tmpl::dns_label_problem(host.private_address.substr(0, host.private_address.find('.')))) {
                            m_reader.error(setting, "\"private_address\" of " + what + " must be an IP address or a host name");
                        }
                    } else if (field.text == "state_dir") {
                        host.state_dir = m_reader.string(setting, "\"state_dir\" of " + what).value_or("");
                        if (!host.state_dir.empty() && host.state_dir.front() != '/') {
                            m_reader.error(setting, "\"state_dir\" of " + what + " must be an absolute path");
                        }
                    }
                }
                if (address == nullptr) {
                    m_reader.error(key, what + " has no \"address\"");
                }
            }
            if (address != nullptr) {
                host.address = m_reader.string(*address, "the address of " + what).value_or("");
            }
            if (address != nullptr && host.address != "local" && !host.address.empty()) {
                try {
                    util::parse_host_spec(host.address);
                } catch (const Error& error) {
                    m_reader.error(*address, error.message());
                }
            }
            m_result.hosts.push_back(std::move(host));
        }
    }

    // A host name the instance refers to; an error when the file defines none.
    bool known_host(const Node& node, const std::string& what) {
        if (m_result.host(node.text) != nullptr) {
            return true;
        }
        std::vector<std::string> names;
        for (const auto& host : m_result.hosts) {
            names.push_back(host.name);
        }
        std::string guess = util::did_you_mean(node.text, names);
        m_reader.error(node, what + " names host " + util::quoted(node.text) + ", which \"hosts\" does not define" +
                                 (guess.empty() ? "" : ", did you mean " + util::quoted(guess) + "?"));
        return false;
    }

    void read_instances(const Node& instances) {
        if (!mapping(instances, "\"instances\"")) {
            return;
        }
        for (const auto& [key, value] : instances.entries) {
            name_ok(key, "instance");
            Instance instance;
            instance.name = key.text;
            instance.where = key.where;
            std::string what = "instance " + util::quoted(key.text);
            if (!value.is_null() && mapping(value, what)) {
                read_instance(value, what, instance);
            }
            if (instance.backend == "docker" && instance.hosts.empty()) {
                m_reader.error(key, what + " names no \"hosts\"");
            }
            m_result.instances.push_back(std::move(instance));
        }
    }

    void read_instance(const Node& value, const std::string& what, Instance& instance) {
        tmpl::check_known_keys(value,
                               {"hosts", "vars", "place", "domains", "backend", "manager", "scale", "builder", "previews",
                                "edges", "endpoint_mode", "publish_mode"},
                               what,
                               m_diagnostics);
        // The backend first, wherever it is written: what the other keys mean depends on it.
        bool backend_known = true;
        for (const auto& [field, setting] : value.entries) {
            if (field.text == "backend") {
                auto backend = m_reader.choice(setting, "\"backend\" of " + what, {"docker", "swarm"});
                backend_known = backend.has_value();
                instance.backend = backend.value_or("docker");
            }
        }
        bool swarm = instance.backend == "swarm";
        const Node* place = nullptr;
        const Node* builder = nullptr;
        const Node* edges = nullptr;
        for (const auto& [field, setting] : value.entries) {
            if (!swarm && backend_known && is_swarm_key(field.text)) {
                m_reader.error(field, swarm_only(util::quoted(field.text), instance.name));
            } else if (field.text == "hosts") {
                read_instance_hosts(setting, what, instance);
            } else if (field.text == "vars") {
                instance.vars = m_reader.string_map(setting, "\"vars\" of " + what);
            } else if (field.text == "place") {
                place = &setting;
            } else if (field.text == "domains") {
                read_domains(setting, what, instance);
            } else if (field.text == "manager") {
                if (m_reader.string(setting, "\"manager\" of " + what) && known_host(setting, "\"manager\" of " + what)) {
                    instance.manager = setting.text;
                }
            } else if (field.text == "builder") {
                builder = &setting;
                if (m_reader.string(setting, "\"builder\" of " + what) && known_host(setting, "\"builder\" of " + what)) {
                    instance.builder = setting.text;
                }
            } else if (field.text == "scale") {
                read_scale(setting, what, instance);
            } else if (field.text == "edges") {
                edges = &setting;
            } else if (field.text == "endpoint_mode") {
                instance.endpoint_mode =
                    m_reader.choice(setting, "\"endpoint_mode\" of " + what, {"vip", "dnsrr"}).value_or("");
            } else if (field.text == "publish_mode") {
                instance.publish_mode =
                    m_reader.choice(setting, "\"publish_mode\" of " + what, {"ingress", "host"}).value_or("");
            } else if (field.text == "previews") {
                read_previews(field, setting, what, instance);
            }
        }
        bool manager_given = std::any_of(value.entries.begin(), value.entries.end(),
                                         [](const auto& entry) { return entry.first.text == "manager"; });
        if (swarm && !manager_given) {
            m_reader.error(value, what + " uses the swarm backend and needs a \"manager\" host");
        }
        // A swarm's nodes: its "hosts" and its manager, which is one of them
        // even when "hosts" does not list it (then it comes first).
        if (swarm && !instance.manager.empty() &&
            std::find(instance.hosts.begin(), instance.hosts.end(), instance.manager) == instance.hosts.end()) {
            instance.hosts.insert(instance.hosts.begin(), instance.manager);
        }
        // After "hosts", wherever they are written: these must use the instance's own.
        if (place != nullptr) {
            read_place(*place, what, instance);
        }
        if (edges != nullptr) {
            read_edges(*edges, what, instance);
        }
        if (builder != nullptr && !instance.builder.empty() && !among(instance.hosts, instance.builder)) {
            m_reader.error(*builder, "\"builder\" of " + what + " must be one of its " +
                                         (swarm ? "nodes (its \"hosts\" and its \"manager\")" : "hosts") + ", not " +
                                         util::quoted(instance.builder));
        }
    }

    static bool among(const std::vector<std::string>& names, const std::string& name) {
        return std::find(names.begin(), names.end(), name) != names.end();
    }

    // The keys of an instance that only the swarm backend reads.
    static bool is_swarm_key(const std::string& key) {
        return key == "manager" || key == "scale" || key == "edges" || key == "endpoint_mode" || key == "publish_mode";
    }

    // What a swarm setting on an instance of the docker backend is told.
    static std::string swarm_only(const std::string& setting, const std::string& instance) {
        return setting + " is a setting of the swarm backend, but instance " + util::quoted(instance) +
               " uses docker (set \"backend: swarm\")";
    }

    void read_instance_hosts(const Node& setting, const std::string& what, Instance& instance) {
        std::string label = "\"hosts\" of " + what;
        auto names = m_reader.string_list(setting, label);
        if (!names) {
            return;
        }
        std::set<std::string> seen;
        for (const auto& item : setting.is_sequence() ? setting.items : std::vector<Node>{setting}) {
            if (!known_host(item, label)) {
                continue;
            }
            if (!seen.insert(item.text).second) {
                m_reader.error(item, label + " names " + util::quoted(item.text) + " twice");
                continue;
            }
            instance.hosts.push_back(item.text);
        }
    }

    // "place": service -> one of the instance's hosts; with swarm, a node, or
    // node labels ({labels: {zone: east}}).
    void read_place(const Node& setting, const std::string& what, Instance& instance) {
        std::string label = "\"place\" of " + what;
        if (!mapping(setting, label)) {
            return;
        }
        bool swarm = instance.backend == "swarm";
        for (const auto& [service, host] : setting.entries) {
            if (host.is_mapping()) {
                read_place_labels(service, host, label, instance);
                continue;
            }
            auto name = m_reader.string(host, (swarm ? "the node of " : "the host of ") + util::quoted(service.text) +
                                                  " in " + label);
            if (!name || !known_host(host, label)) {
                continue;
            }
            if (!among(instance.hosts, *name)) {
                m_reader.error(host, label + " puts " + util::quoted(service.text) + " on " + util::quoted(*name) +
                                         ", which is not among the instance's " + (swarm ? "nodes" : "hosts"));
                continue;
            }
            instance.place[service.text] = *name;
            instance.service_where.emplace(service.text, service.where);
        }
    }

    // `{labels: {zone: east}}` in "place": the node labels a swarm service's nodes must have.
    void read_place_labels(const Node& service, const Node& value, const std::string& place_label, Instance& instance) {
        std::string label = "the place of " + util::quoted(service.text) + " in " + place_label;
        if (instance.backend != "swarm") {
            m_reader.error(value, swarm_only("a place by node labels", instance.name));
            return;
        }
        tmpl::check_known_keys(value, {"labels"}, label, m_diagnostics);
        const Node* labels = nullptr;
        for (const auto& [field, setting] : value.entries) {
            labels = field.text == "labels" ? &setting : labels;
        }
        if (labels == nullptr) {
            m_reader.error(value, label + " names no \"labels\"");
            return;
        }
        std::string labels_label = "\"labels\" of " + label;
        if (!mapping(*labels, labels_label)) {
            return;
        }
        if (labels->entries.empty()) {
            m_reader.error(*labels, labels_label + " names no label");
            return;
        }
        std::map<std::string, std::string> read;
        for (const auto& [name, node] : labels->entries) {
            auto text = m_reader.string(node, "node label " + util::quoted(name.text) + " in " + label);
            if (!text) {
                continue;
            }
            if (auto problem = node_label_name_problem(name.text)) {
                m_reader.error(name, "invalid node label " + util::quoted(name.text) + " in " + label + ": " + *problem);
                continue;
            }
            if (auto problem = node_label_value_problem(*text)) {
                m_reader.error(node, "invalid value " + util::quoted(*text) + " of node label " +
                                         util::quoted(name.text) + " in " + label + ": " + *problem);
                continue;
            }
            read[name.text] = *text;
        }
        instance.place_labels[service.text] = std::move(read);
        instance.service_where.emplace(service.text, service.where);
    }

    // Docker reads a constraint "node.labels.NAME==VALUE": neither part may
    // hold what would end or split it.
    static std::optional<std::string> node_label_name_problem(const std::string& name) {
        bool ok = !name.empty() && std::isalnum(static_cast<unsigned char>(name.front())) &&
                  std::all_of(name.begin(), name.end(), [](char c) {
                      return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
                  });
        return ok ? std::nullopt
                  : std::optional<std::string>("a label name starts with a letter or a digit and has only letters, "
                                               "digits, \".\", \"-\" and \"_\"");
    }

    static std::optional<std::string> node_label_value_problem(const std::string& value) {
        bool ok = !value.empty() && std::all_of(value.begin(), value.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || std::string_view(".-_:/").find(c) != std::string_view::npos;
        });
        return ok ? std::nullopt
                  : std::optional<std::string>("a label value is not empty and has only letters, digits, \".\", "
                                               "\"-\", \"_\", \":\" and \"/\"");
    }

    // "edges": the swarm nodes where the router runs.
    void read_edges(const Node& setting, const std::string& what, Instance& instance) {
        std::string label = "\"edges\" of " + what;
        if (!m_reader.string_list(setting, label)) {
            return;
        }
        std::set<std::string> seen;
        for (const auto& item : setting.items) {
            if (!known_host(item, label)) {
                continue;
            }
            if (!among(instance.hosts, item.text)) {
                m_reader.error(item, label + " names " + util::quoted(item.text) +
                                         ", which is not among the instance's nodes");
                continue;
            }
            if (!seen.insert(item.text).second) {
                m_reader.error(item, label + " names " + util::quoted(item.text) + " twice");
                continue;
            }
            instance.edges.push_back(item.text);
        }
    }

    // Each domain (or pattern) of a mapping of services to one domain or a
    // list of them, after checking that it is one; `label` names the mapping.
    template <typename Each>
    void for_each_domain(const Node& setting, const std::string& label, const Each& each) {
        if (!mapping(setting, label)) {
            return;
        }
        for (const auto& [service, value] : setting.entries) {
            std::string what_domains = "the domains of " + util::quoted(service.text) + " in " + label;
            if (value.is_scalar() ? !m_reader.string(value, what_domains) : !m_reader.string_list(value, what_domains)) {
                continue;
            }
            for (const auto& item : value.is_sequence() ? value.items : std::vector<Node>{value}) {
                each(service, item);
            }
        }
    }

    void read_domains(const Node& setting, const std::string& what, Instance& instance) {
        for_each_domain(setting, "\"domains\" of " + what, [&](const Node& service, const Node& item) {
            instance.service_where.emplace(service.text, service.where);
            if (auto problem = infra::domain_problem(item.text)) {
                m_reader.error(item, "invalid domain " + util::quoted(item.text) + ": " + *problem);
                return;
            }
            instance.domains[service.text].push_back(item.text);
            instance.domain_where.emplace(item.text, item.where);
            m_domains.push_back({item.text, instance.name, item.where});
        });
    }

    // "previews": empty, or a mapping with "domains" (patterns holding
    // "{suffix}") and "vars".
    void read_previews(const Node& key, const Node& setting, const std::string& what, Instance& instance) {
        std::string label = "\"previews\" of " + what;
        Previews previews;
        previews.where = key.where;
        if (!setting.is_null()) {
            if (!mapping(setting, label)) {
                return;
            }
            tmpl::check_known_keys(setting, {"domains", "vars"}, label, m_diagnostics);
            for (const auto& [field, value] : setting.entries) {
                if (field.text == "domains") {
                    read_preview_domains(value, label, instance.name, previews);
                } else if (field.text == "vars") {
                    previews.vars = m_reader.string_map(value, "\"vars\" of " + label);
                }
            }
        }
        instance.previews = std::move(previews);
    }

    void read_preview_domains(const Node& setting, const std::string& previews_label, const std::string& instance,
                              Previews& previews) {
        std::string label = "\"domains\" of " + previews_label;
        for_each_domain(setting, label, [&](const Node& service, const Node& item) {
            previews.service_where.emplace(service.text, service.where);
            if (item.text.find("{suffix}") == std::string::npos) {
                m_reader.error(item, "domain pattern " + util::quoted(item.text) + " in " + label +
                                         " must hold \"{suffix}\", which each preview replaces with its own");
                return;
            }
            // A suffix is a DNS label: "x" stands for any.
            if (auto problem = infra::domain_problem(with_suffix(item.text, "x"))) {
                m_reader.error(item, "invalid domain pattern " + util::quoted(item.text) + ": " + *problem);
                return;
            }
            previews.domains[service.text].push_back(item.text);
            previews.pattern_where.emplace(item.text, item.where);
            m_patterns.push_back({item.text, instance, item.where});
        });
    }

    void read_scale(const Node& setting, const std::string& what, Instance& instance) {
        std::string label = "\"scale\" of " + what;
        if (!mapping(setting, label)) {
            return;
        }
        for (const auto& [service, value] : setting.entries) {
            if (auto replicas = m_reader.integer(value, "the scale of " + util::quoted(service.text), 0, 10000)) {
                instance.scale[service.text] = *replicas;
                instance.service_where.emplace(service.text, service.where);
            }
        }
    }

    void read_router(const Node& setting) {
        if (!mapping(setting, "\"router\"")) {
            return;
        }
        tmpl::check_known_keys(setting, {"image", "http_port"}, "\"router\"", m_diagnostics);
        for (const auto& [field, value] : setting.entries) {
            if (field.text == "image") {
                m_result.router.image = m_reader.string(value, "\"image\" of \"router\"").value_or(m_result.router.image);
                if (auto problem = tmpl::image_reference_problem(m_result.router.image)) {
                    m_reader.error(value, "invalid router image " + util::quoted(m_result.router.image) + ": " + *problem);
                }
            } else if (field.text == "http_port") {
                m_result.router.http_port =
                    m_reader.integer(value, "\"http_port\" of \"router\"", 1, 65535).value_or(m_result.router.http_port);
            }
        }
    }

    // "registry": HOST[:PORT][/PATH], where swarm instances' images built from
    // source are pushed; it becomes the first part of their names.
    void read_registry(const Node& setting) {
        auto text = m_reader.string(setting, "\"registry\"");
        if (!text) {
            return;
        }
        if (auto problem = registry_problem(*text)) {
            m_reader.error(setting, "invalid \"registry\" " + util::quoted(*text) + ": " + *problem);
            return;
        }
        m_result.registry = *text;
    }

    static std::optional<std::string> registry_problem(const std::string& registry) {
        if (size_t scheme = registry.find("://"); scheme != std::string::npos) {
            return "write it without a scheme, as docker names images: " +
                   util::quoted(registry.substr(scheme + 3));
        }
        if (registry.find_first_of(" \t\r\n") != std::string::npos) {
            return std::string("it must not hold spaces");
        }
        std::string host = registry.substr(0, registry.find('/'));
        // Else docker takes the first part for an account on Docker Hub.
        if (host.find_first_of(".:") == std::string::npos && host != "localhost") {
            return "its host must hold a \".\" or a port (\"" + host + ":5000\"), or be \"localhost\"";
        }
        if (auto problem = tmpl::image_reference_problem(registry + "/instance_service:tag")) {
            return "it must read HOST[:PORT][/PATH] (\"10.0.0.2:5000\"): " + *problem;
        }
        return std::nullopt;
    }

    // Two instances' previews with one pattern would get one domain for one suffix.
    void check_domains_unique() {
        check_unique(m_domains, "domain ");
        check_unique(m_patterns, "domain pattern ");
    }

    struct DomainUse;

    void check_unique(const std::vector<DomainUse>& uses, const std::string& noun) {
        std::map<std::string, const DomainUse*> seen;
        for (const auto& use : uses) {
            auto [it, inserted] = seen.emplace(use.domain, &use);
            if (!inserted) {
                m_diagnostics.add(use.where, noun + util::quoted(use.domain) + " is used twice: by instance " +
                                                 util::quoted(it->second->instance) + " on line " +
                                                 std::to_string(it->second->where.line) + " and by " +
                                                 util::quoted(use.instance));
            }
        }
    }

    struct DomainUse {
        std::string domain;
        std::string instance;
        SourceLocation where;
    };

    Diagnostics& m_diagnostics;
    Reader m_reader;
    Infrastructure m_result;
    std::vector<DomainUse> m_domains;
    std::vector<DomainUse> m_patterns;  // of previews
};

}  // namespace

Infrastructure parse(const Node& root, Diagnostics& diagnostics) {
    return Parser(diagnostics).parse(root);
}

}  // namespace calzion::infra
