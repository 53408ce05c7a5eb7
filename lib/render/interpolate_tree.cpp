#include "render/interpolate_tree.hpp"

#include <algorithm>

#include "tmpl/layout.hpp"
#include "util/strings.hpp"

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

// Visit the top-level sections whose values are interpolated: the global env, with
// `service` empty, and each service's settings, with its name. `vars` and `calzion`
// are taken as written, and so is `pipeline`: its values are shell text, where
// `$NAME` is the step's own variable.
template <typename AnyNode, typename Visit>
void for_each_section(AnyNode& root, const Visit& visit) {
    if (!root.is_mapping()) {
        return;
    }
    bool long_form = std::any_of(root.entries.begin(), root.entries.end(),
                                 [](const auto& entry) { return entry.first.is_scalar() && entry.first.text == "services"; });
    for (auto& [key, value] : root.entries) {
        if (!key.is_scalar() || key.text == "vars" || key.text == "calzion" || key.text == "pipeline") {
            continue;
        }
        if (key.text == "env") {
            visit(value, std::string());
        } else if (key.text == "services" && value.is_mapping()) {
            for (auto& [service_key, body] : value.entries) {
                visit(body, tmpl::service_name_for_key(service_key.text));
            }
        } else if (!long_form) {
            visit(value, tmpl::service_name_for_key(key.text));
        }
    }
}

bool uses_service(const Node& scalar) {
    auto names = referenced_names(scalar.text);
    return std::find(names.begin(), names.end(), "service") != names.end();
}

// Looks a name up in the built-ins of `service`, then in the variables.
Lookup lookup_for(const Variables& variables, const Builtins& builtins, const std::string& service) {
    return [&variables, &builtins, service](std::string_view name) -> std::optional<std::string> {
        if (name == "instance") {
            return builtins.instance;
        }
        if (name == "revision") {
            return builtins.revision;
        }
        if (name == "service" && !service.empty()) {
            return service;
        }
        return variables.lookup(name);
    };
}

// A variable's value must be text a container can take: UTF-8, without NUL.
std::optional<std::string> unusable_variable(const Node& scalar, const Lookup& lookup) {
    for (const auto& name : referenced_names(scalar.text)) {
        std::optional<std::string> value = lookup(name);
        if (value && value->find('\0') != std::string::npos) {
            return "variable " + util::quoted(name) + " contains a NUL character";
        }
        if (value && util::invalid_utf8_offset(*value)) {
            return "variable " + util::quoted(name) + " is not valid UTF-8 text";
        }
    }
    return std::nullopt;
}

// The interpolated text of a scalar, or nullopt after reporting why there is none.
std::optional<std::string> interpolated(const Node& scalar, const Lookup& lookup, Diagnostics& diagnostics) {
    Interpolated result = render::interpolate(scalar.text, lookup);
    if (result.error) {
        diagnostics.add(scalar.at_offset(result.error->offset), result.error->message);
        return std::nullopt;
    }
    if (result.value.find('\0') != std::string::npos || util::invalid_utf8_offset(result.value)) {
        if (auto problem = unusable_variable(scalar, lookup)) {
            diagnostics.add(scalar.where, *problem);
            return std::nullopt;
        }
    }
    return std::move(result.value);
}

}  // namespace

Node interpolate_tree(const Node& root, const Variables& variables, const Builtins& builtins,
                      Diagnostics& diagnostics) {
    Node copy = root;
    for_each_section(copy, [&](Node& section, const std::string& service) {
        Lookup lookup = lookup_for(variables, builtins, service);
        for_each_value(section, [&](Node& scalar) {
            // A global value naming ${service} is resolved per service: see global_env_by_service.
            if (scalar.text.find('$') == std::string::npos || (service.empty() && uses_service(scalar))) {
                return;
            }
            if (auto value = interpolated(scalar, lookup, diagnostics)) {
                scalar.text = std::move(*value);
                scalar.literal_shift = -1;
            }
        });
    });
    return copy;
}

std::map<std::string, std::map<std::string, std::string>> global_env_by_service(
    const Node& root, const std::vector<std::string>& services, const Variables& variables,
    const Builtins& builtins, Diagnostics& diagnostics) {
    std::map<std::string, std::map<std::string, std::string>> out;
    for_each_section(root, [&](const Node& section, const std::string& service) {
        if (!service.empty()) {
            return;
        }
        // A mapping of NAME: value, or a list of "NAME=value" strings.
        auto visit = [&](const Node& scalar, const std::optional<std::string>& name) {
            if (!scalar.is_scalar() || !uses_service(scalar)) {
                return;
            }
            for (const auto& name_of_service : services) {
                auto value = interpolated(scalar, lookup_for(variables, builtins, name_of_service), diagnostics);
                if (!value) {
                    return;  // the same problem for every service: report it once
                }
                if (name) {
                    out[name_of_service][*name] = *value;
                } else if (size_t equals = value->find('='); equals != std::string::npos) {
                    out[name_of_service][value->substr(0, equals)] = value->substr(equals + 1);
                }
            }
        };
        for (const auto& [key, value] : section.entries) {
            visit(value, key.text);
        }
        for (const auto& item : section.items) {
            visit(item, std::nullopt);
        }
    });
    return out;
}

void check_reference_syntax(const Node& root, Diagnostics& diagnostics) {
    for_each_section(root, [&](const Node& section, const std::string&) {
        for_each_value(section, [&](const Node& scalar) {
            if (auto problem = check_syntax(scalar.text)) {
                diagnostics.add(scalar.at_offset(problem->offset), problem->message);
            }
        });
    });
}

}  // namespace calzion::render
