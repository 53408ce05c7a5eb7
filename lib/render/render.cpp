#include "render/render.hpp"

#include <algorithm>
#include <sstream>

#include "render/interpolate_tree.hpp"
#include "render/resolve.hpp"
#include "tmpl/layout.hpp"
#include "tmpl/names.hpp"
#include "tmpl/parser.hpp"
#include "tmpl/pipeline.hpp"
#include "util/fs.hpp"
#include "util/strings.hpp"

namespace calzion::render {

namespace {

std::vector<int> version_numbers(const std::string& version) {
    std::vector<int> numbers;
    std::stringstream stream(version);
    std::string part;
    while (std::getline(stream, part, '.')) {
        if (part.empty() || part.size() > 6 || part.find_first_not_of("0123456789") != std::string::npos) {
            return {};
        }
        numbers.push_back(std::stoi(part));
    }
    return numbers;
}

void check_min_version(const tmpl::Template& spec, Diagnostics& diagnostics) {
    if (spec.min_version.empty()) {
        return;
    }
    auto wanted = version_numbers(spec.min_version);
    if (wanted.empty()) {
        diagnostics.add(spec.min_version_where,
                        "\"min_version\" in \"calzion\" must read like \"0.1\" or \"1.2.3\", not " + util::quoted(spec.min_version));
    } else if (version_numbers(CALZION_VERSION) < wanted) {
        diagnostics.add(spec.min_version_where, "this template needs calzion " + util::quoted(spec.min_version) +
                                                    " or newer, this is " + util::quoted(CALZION_VERSION));
    }
}

tmpl::Template parse_and_check(const tmpl::Node& root, Diagnostics& diagnostics, bool lenient) {
    tmpl::Template spec = tmpl::parse_template(root, diagnostics, lenient);
    check_min_version(spec, diagnostics);
    tmpl::check_relations(spec, diagnostics);
    return spec;
}

// Give each service its own value of the global env entries that use ${service}; a
// service's own env still wins over them.
void apply_global_env_by_service(const tmpl::Node& root, tmpl::Template& spec, const Variables& variables,
                                 const Builtins& builtins, Diagnostics& diagnostics) {
    std::vector<std::string> names;
    for (const auto& service : spec.services) {
        names.push_back(service.name);
    }
    auto by_service = global_env_by_service(root, names, variables, builtins, diagnostics);
    for (auto& service : spec.services) {
        for (auto& [name, value] : by_service[service.name]) {
            spec.env.erase(name);
            service.env.emplace(name, value);
        }
    }
}

}  // namespace

Source load_source(const std::string& path) {
    Source source;
    source.file = path;
    source.text = util::read_file(path);
    source.root = tmpl::load_document(path, source.text);
    return source;
}

void validate(const Source& source) {
    Diagnostics diagnostics(source.text);
    parse_and_check(source.root, diagnostics, true);
    check_reference_syntax(source.root, diagnostics);
    if (const tmpl::Node* pipeline = tmpl::pipeline_section(source.root)) {
        tmpl::parse_pipeline(*pipeline, source.file, diagnostics);
    }
    diagnostics.throw_if_any();
}

void check_place(const Source& source, const std::map<std::string, std::string>& place) {
    Diagnostics ignored(source.text);
    tmpl::Template spec = tmpl::parse_template(source.root, ignored, true);
    RenderOptions options;
    options.placement = Placement{"", place, {}};
    // Ports known only once variables are resolved: render checks those.
    for (const auto& entry : tmpl::read_layout(source.root, ignored).services) {
        for (const auto& [key, value] : entry.body->entries) {
            bool deferred = key.text == "ports" && std::any_of(value.items.begin(), value.items.end(), [](const auto& item) {
                                return item.text.find('$') != std::string::npos;
                            });
            if (deferred) {
                options.placement->hosts.erase(entry.name);
            }
        }
    }
    Diagnostics diagnostics(source.text);
    check_placement(spec, options, diagnostics);
    diagnostics.throw_if_any();
}

Deployment render(const Source& source, const RenderOptions& options) {
    tmpl::check_instance_name(options.instance);
    Diagnostics diagnostics(source.text);
    // The template's own `vars` are the weakest source of variables.
    tmpl::Template raw = tmpl::parse_template(source.root, diagnostics, true);
    diagnostics.throw_if_any();
    Variables variables = options.variables;
    variables.add_layer("the template's vars", raw.vars);

    Builtins builtins{options.instance, std::to_string(options.revision)};
    tmpl::Node resolved = interpolate_tree(source.root, variables, builtins, diagnostics);
    diagnostics.throw_if_any();
    tmpl::Template spec = parse_and_check(resolved, diagnostics, false);
    diagnostics.throw_if_any();
    apply_global_env_by_service(source.root, spec, variables, builtins, diagnostics);
    // Placed: every expose across hosts, not only this host's, so that each
    // host's rendering fails alike before any host changes.
    check_placement(spec, options, diagnostics);
    diagnostics.throw_if_any();
    return resolve(spec, options);
}

}  // namespace calzion::render
