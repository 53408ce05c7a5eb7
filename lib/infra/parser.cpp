#include "infra/parser.hpp"

#include <algorithm>
#include <set>

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
        tmpl::check_known_keys(root, {"hosts", "instances", "router"}, "the infrastructure file", m_diagnostics);
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
                               {"hosts", "vars", "place", "domains", "backend", "manager", "scale", "builder", "previews"},
                               what,
                               m_diagnostics);
        const Node* place = nullptr;
        for (const auto& [field, setting] : value.entries) {
            if (field.text == "hosts") {
                read_instance_hosts(setting, what, instance);
            } else if (field.text == "vars") {
                instance.vars = m_reader.string_map(setting, "\"vars\" of " + what);
            } else if (field.text == "place") {
                place = &setting;
            } else if (field.text == "domains") {
                read_domains(setting, what, instance);
            } else if (field.text == "backend") {
                instance.backend = m_reader.choice(setting, "\"backend\" of " + what, {"docker", "swarm"}).value_or("docker");
            } else if (field.text == "manager") {
                if (m_reader.string(setting, "\"manager\" of " + what) && known_host(setting, "\"manager\" of " + what)) {
                    instance.manager = setting.text;
                }
            } else if (field.text == "builder") {
                if (m_reader.string(setting, "\"builder\" of " + what) && known_host(setting, "\"builder\" of " + what)) {
                    instance.builder = setting.text;
                }
            } else if (field.text == "scale") {
                read_scale(setting, what, instance);
            } else if (field.text == "previews") {
                read_previews(field, setting, what, instance);
            }
        }
        // After "hosts", wherever it is written: `place` must use the instance's own.
        if (place != nullptr) {
            read_place(*place, what, instance);
        }
        const Node* builder = nullptr;
        for (const auto& [field, setting] : value.entries) {
            builder = field.text == "builder" ? &setting : builder;
        }
        if (builder != nullptr && !instance.builder.empty() &&
            std::find(instance.hosts.begin(), instance.hosts.end(), instance.builder) == instance.hosts.end()) {
            m_reader.error(*builder, "\"builder\" of " + what + " must be one of its hosts, not " +
                                         util::quoted(instance.builder));
        }
        if (instance.backend == "swarm" && instance.manager.empty()) {
            m_reader.error(value, what + " uses the swarm backend and needs a \"manager\" host");
        }
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

    void read_place(const Node& setting, const std::string& what, Instance& instance) {
        std::string label = "\"place\" of " + what;
        if (!mapping(setting, label)) {
            return;
        }
        for (const auto& [service, host] : setting.entries) {
            auto name = m_reader.string(host, "the host of " + util::quoted(service.text) + " in " + label);
            if (!name || !known_host(host, label)) {
                continue;
            }
            if (std::find(instance.hosts.begin(), instance.hosts.end(), *name) == instance.hosts.end()) {
                m_reader.error(host, label + " puts " + util::quoted(service.text) + " on " + util::quoted(*name) +
                                         ", which is not among the instance's hosts");
                continue;
            }
            instance.place[service.text] = *name;
            instance.service_where.emplace(service.text, service.where);
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
