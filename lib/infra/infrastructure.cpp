#include "infra/infrastructure.hpp"

#include <algorithm>
#include <filesystem>

#include "infra/domain.hpp"
#include "infra/parser.hpp"
#include "tmpl/names.hpp"
#include "util/host_spec.hpp"
#include "util/fs.hpp"
#include "util/strings.hpp"

namespace calzion::infra {

std::string Host::reachable_at() const {
    if (!private_address.empty() || address == "local" || address.empty()) {
        return private_address;
    }
    return util::parse_host_spec(address).host;
}

const Host* Infrastructure::host(const std::string& name) const {
    auto found = std::find_if(hosts.begin(), hosts.end(), [&](const Host& host) { return host.name == name; });
    return found == hosts.end() ? nullptr : &*found;
}

std::string with_suffix(const std::string& text, const std::string& suffix) {
    static const std::string k_placeholder = "{suffix}";
    std::string result;
    size_t start = 0;
    for (size_t at = text.find(k_placeholder); at != std::string::npos; at = text.find(k_placeholder, start)) {
        result += text.substr(start, at - start) + suffix;
        start = at + k_placeholder.size();
    }
    return result + text.substr(start);
}

DerivedInstances& DerivedInstances::operator=(const DerivedInstances& other) {
    if (this != &other) {
        std::lock_guard lock(m_mutex);
        m_instances.clear();
    }
    return *this;
}

const Instance* DerivedInstances::find_or_add(const std::string& name,
                                              const std::function<std::optional<Instance>()>& derive) const {
    std::lock_guard lock(m_mutex);
    for (const auto& instance : m_instances) {
        if (instance.name == name) {
            return &instance;
        }
    }
    std::optional<Instance> derived = derive();
    if (!derived) {
        return nullptr;
    }
    return &m_instances.emplace_back(std::move(*derived));
}

namespace {

const Instance* listed(const std::vector<Instance>& instances, const std::string& name) {
    auto found = std::find_if(instances.begin(), instances.end(),
                              [&](const Instance& instance) { return instance.name == name; });
    return found == instances.end() ? nullptr : &*found;
}

// The listed instance with previews that `name` extends by "-<suffix>", the
// longest when several do; nullptr when none does.
const Instance* preview_base(const std::vector<Instance>& instances, const std::string& name) {
    const Instance* base = nullptr;
    for (const auto& candidate : instances) {
        if (candidate.previews && name.size() > candidate.name.size() + 1 &&
            name.compare(0, candidate.name.size() + 1, candidate.name + "-") == 0 &&
            (base == nullptr || candidate.name.size() > base->name.size())) {
            base = &candidate;
        }
    }
    return base;
}

}  // namespace

const Instance* Infrastructure::instance(const std::string& name) const {
    if (const Instance* found = listed(instances, name)) {
        return found;
    }
    return derived.find_or_add(name, [&] { return preview(name); });
}

std::optional<Instance> Infrastructure::preview(const std::string& name) const {
    const Instance* base = preview_base(instances, name);
    if (base == nullptr || listed(instances, name) != nullptr) {
        return std::nullopt;
    }
    tmpl::check_instance_name(name);
    std::string suffix = name.substr(base->name.size() + 1);
    if (auto problem = tmpl::dns_label_problem(suffix)) {
        throw Error(ErrorKind::usage, "invalid preview suffix " + util::quoted(suffix) + " of instance " +
                                          util::quoted(name) + ": " + *problem);
    }
    const Previews& previews = *base->previews;
    Instance preview = *base;
    preview.name = name;
    preview.previews.reset();
    preview.domains.clear();
    preview.domain_where.clear();
    for (const auto& [variable, value] : previews.vars) {
        preview.vars[variable] = with_suffix(value, suffix);
    }
    preview.vars["preview_suffix"] = suffix;
    for (const auto& [service, where] : previews.service_where) {
        preview.service_where.emplace(service, where);
    }
    // Each derived domain must be routable and nobody else's: the file's own
    // domains were checked when it was read, the preview's only exist now.
    Diagnostics diagnostics(text);
    for (const auto& [service, patterns] : previews.domains) {
        for (const auto& pattern : patterns) {
            std::string domain = with_suffix(pattern, suffix);
            const SourceLocation& where = previews.pattern_where.at(pattern);
            if (auto problem = domain_problem(domain)) {
                diagnostics.add(where, "invalid domain " + util::quoted(domain) + " of preview instance " +
                                           util::quoted(name) + ": " + *problem);
                continue;
            }
            for (const auto& other : instances) {
                auto used = other.domain_where.find(domain);
                if (used != other.domain_where.end()) {
                    diagnostics.add(where, "domain " + util::quoted(domain) + " of preview instance " +
                                               util::quoted(name) + " is used by instance " +
                                               util::quoted(other.name) + " on line " +
                                               std::to_string(used->second.line));
                }
            }
            preview.domains[service].push_back(domain);
            preview.domain_where.emplace(domain, where);
        }
    }
    diagnostics.throw_if_any();
    return preview;
}

std::optional<std::string> find_file(const std::string& explicit_path, const std::string& template_file) {
    if (!explicit_path.empty()) {
        return explicit_path;
    }
    std::filesystem::path beside = template_file.empty()
                                       ? std::filesystem::path(k_default_file)
                                       : std::filesystem::path(template_file).parent_path() / k_default_file;
    std::error_code error;
    if (std::filesystem::is_regular_file(beside, error)) {
        return beside.string();
    }
    return std::nullopt;
}

Infrastructure load(const std::string& path) {
    std::string text = util::read_file(path);
    tmpl::Node root = tmpl::load_document(path, text);
    Diagnostics diagnostics(text);
    Infrastructure infrastructure = parse(root, diagnostics);
    diagnostics.throw_if_any();
    infrastructure.file = path;
    infrastructure.text = std::move(text);
    return infrastructure;
}

}  // namespace calzion::infra
