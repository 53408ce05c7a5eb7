#include "infra/infrastructure.hpp"

#include <algorithm>
#include <filesystem>

#include "infra/parser.hpp"
#include "util/host_spec.hpp"
#include "util/fs.hpp"

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

const Instance* Infrastructure::instance(const std::string& name) const {
    auto found = std::find_if(instances.begin(), instances.end(),
                              [&](const Instance& instance) { return instance.name == name; });
    return found == instances.end() ? nullptr : &*found;
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
