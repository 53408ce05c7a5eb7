#include "render/interpolate_tree.hpp"

#include "tmpl/layout.hpp"

namespace calzion::render {

namespace {

using tmpl::Node;

// Visit every scalar value under node (keys excluded).
template <typename AnyNode, typename Visit>
void for_each_value(AnyNode& node, const Visit& visit) {
    if (node.is_scalar()) {
        visit(node);
    }
    for (auto& item : node.items) {
        for_each_value(item, visit);
    }
    for (auto& [key, value] : node.entries) {
        for_each_value(value, visit);
    }
}

class TreeInterpolator {
public:
    TreeInterpolator(const Variables& variables, const Builtins& builtins, Diagnostics& diagnostics)
        : m_variables(variables), m_builtins(builtins), m_diagnostics(diagnostics) {}

    void interpolate(Node& node, const std::string& service) {
        Lookup lookup = [&](std::string_view name) -> std::optional<std::string> {
            if (name == "instance") {
                return m_builtins.instance;
            }
            if (name == "revision") {
                return m_builtins.revision;
            }
            if (name == "service" && !service.empty()) {
                return service;
            }
            return m_variables.lookup(name);
        };
        for_each_value(node, [&](Node& scalar) {
            if (scalar.text.find('$') == std::string::npos) {
                return;
            }
            Interpolated result = render::interpolate(scalar.text, lookup);
            if (result.error) {
                m_diagnostics.add(scalar.at_offset(result.error->offset), result.error->message);
            } else {
                scalar.text = std::move(result.value);
                scalar.literal_shift = -1;
            }
        });
    }

private:
    const Variables& m_variables;
    const Builtins& m_builtins;
    Diagnostics& m_diagnostics;
};

}  // namespace

Node interpolate_tree(const Node& root, const Variables& variables, const Builtins& builtins,
                      Diagnostics& diagnostics) {
    Node copy = root;
    if (!copy.is_mapping()) {
        return copy;
    }
    TreeInterpolator interpolator(variables, builtins, diagnostics);
    bool long_form = false;
    for (const auto& [key, value] : copy.entries) {
        long_form = long_form || (key.is_scalar() && key.text == "services");
    }
    for (auto& [key, value] : copy.entries) {
        if (!key.is_scalar() || key.text == "vars" || key.text == "calzion") {
            continue;
        }
        if (key.text == "env") {
            interpolator.interpolate(value, "");
        } else if (key.text == "services" && value.is_mapping()) {
            for (auto& [service_key, body] : value.entries) {
                interpolator.interpolate(body, tmpl::service_name_for_key(service_key.text));
            }
        } else if (!long_form) {
            interpolator.interpolate(value, tmpl::service_name_for_key(key.text));
        }
    }
    return copy;
}

void check_reference_syntax(const Node& root, Diagnostics& diagnostics) {
    for_each_value(root, [&](const Node& scalar) {
        if (auto problem = check_syntax(scalar.text)) {
            diagnostics.add(scalar.at_offset(problem->offset), problem->message);
        }
    });
}

}  // namespace calzion::render
