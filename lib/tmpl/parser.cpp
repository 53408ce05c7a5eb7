#include "tmpl/parser.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include "tmpl/layout.hpp"
#include "tmpl/names.hpp"
#include "tmpl/reader.hpp"
#include "tmpl/service_parser.hpp"
#include "util/strings.hpp"

namespace calzion::tmpl {

namespace {

void read_settings(const Node& settings, Template& spec, Reader& reader) {
    if (!settings.is_mapping()) {
        reader.error(settings, "\"calzion\" must be a mapping of settings, not " + describe(settings));
        return;
    }
    check_known_keys(settings, {"min_version"}, "\"calzion\"", *reader.diagnostics());
    for (const auto& [key, value] : settings.entries) {
        if (key.text == "min_version") {
            spec.min_version = reader.string(value, "\"min_version\" in \"calzion\"").value_or("");
            spec.min_version_where = value.where;
        }
    }
}

void check_names(const Layout& layout, Diagnostics& diagnostics) {
    std::map<std::string, const ServiceEntry*> seen;
    for (const auto& entry : layout.services) {
        if (auto problem = dns_label_problem(entry.name)) {
            std::string shown = entry.name == entry.key->text ? util::quoted(entry.name)
                                                              : util::quoted(entry.name) + " (from " + util::quoted(entry.key->text) + ")";
            diagnostics.add(entry.key->where, "invalid service name " + shown + ": " + *problem);
            continue;
        }
        auto [it, inserted] = seen.emplace(entry.name, &entry);
        if (!inserted && it->second->key->text != entry.key->text) {
            diagnostics.add(entry.key->where, "service name " + util::quoted(entry.name) + " is used twice: by " +
                                                  util::quoted(it->second->key->text) + " on line " +
                                                  std::to_string(it->second->key->where.line) + " and by " +
                                                  util::quoted(entry.key->text));
        }
    }
}

}  // namespace

const Service* Template::find(const std::string& name) const {
    auto it = std::find_if(services.begin(), services.end(), [&](const Service& s) { return s.name == name; });
    return it == services.end() ? nullptr : &*it;
}

Template parse_template(const Node& root, Diagnostics& diagnostics, bool lenient) {
    Template spec;
    spec.file = root.where.file;
    check_duplicate_keys(root, diagnostics);
    Layout layout = read_layout(root, diagnostics);
    Reader reader(diagnostics, lenient);
    if (layout.env) {
        spec.env = reader.string_map(*layout.env, "the global \"env\"");
    }
    if (layout.vars) {
        spec.vars = reader.string_map(*layout.vars, "\"vars\"");
    }
    if (layout.settings) {
        read_settings(*layout.settings, spec, reader);
    }
    if (root.is_mapping() && layout.services.empty()) {
        diagnostics.add(root.where, "the template defines no services");
    }
    check_names(layout, diagnostics);
    for (const auto& entry : layout.services) {
        spec.services.push_back(parse_service(entry, reader));
    }
    return spec;
}

}  // namespace calzion::tmpl
