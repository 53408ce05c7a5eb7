#include "template_helpers.hpp"

#include "tmpl/document.hpp"
#include "tmpl/parser.hpp"

namespace calzion::testing {

std::vector<std::string> messages_of(const Error& error) {
    std::vector<std::string> out;
    for (const auto& diagnostic : error.diagnostics()) {
        out.push_back(diagnostic.where.to_string() + ": " + diagnostic.message);
    }
    if (out.empty()) {
        out.push_back(error.what());
    }
    return out;
}

Parsed parse(const std::string& yaml, bool lenient) {
    Parsed parsed;
    try {
        tmpl::Node root = tmpl::load_document(k_file, yaml);
        Diagnostics diagnostics(yaml);
        parsed.spec = tmpl::parse_template(root, diagnostics, lenient);
        tmpl::check_relations(parsed.spec, diagnostics);
        diagnostics.throw_if_any();
    } catch (const Error& error) {
        parsed.problems = messages_of(error);
    }
    return parsed;
}

std::vector<std::string> validate_problems(const std::string& yaml) {
    try {
        render::validate(source_of(yaml));
    } catch (const Error& error) {
        return messages_of(error);
    }
    return {};
}

render::Source source_of(const std::string& yaml) {
    render::Source source;
    source.file = k_file;
    source.text = yaml;
    source.root = tmpl::load_document(k_file, yaml);
    return source;
}

render::Deployment render_yaml(const std::string& yaml, const std::string& instance,
                               const std::map<std::string, std::string>& set) {
    render::RenderOptions options;
    options.instance = instance;
    options.variables.add_layer("--set", set);
    return render::render(source_of(yaml), options);
}

std::vector<std::string> render_problems(const std::string& yaml, const std::string& instance,
                                         const std::map<std::string, std::string>& set) {
    try {
        render_yaml(yaml, instance, set);
    } catch (const Error& error) {
        return messages_of(error);
    }
    return {};
}

std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& line : lines) {
        out += (out.empty() ? "" : "\n") + line;
    }
    return out;
}

}  // namespace calzion::testing
