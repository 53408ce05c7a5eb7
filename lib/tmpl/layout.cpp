#include "tmpl/layout.hpp"

#include "tmpl/names.hpp"
#include "util/strings.hpp"

namespace calzion::tmpl {

namespace {

void add_service(Layout& layout, const Node& key, const Node& body) {
    ServiceEntry entry;
    entry.name = service_name_for_key(key.text);
    if (looks_like_image_reference(key.text)) {
        entry.image_from_key = key.text;
    }
    entry.key = &key;
    entry.body = &body;
    layout.services.push_back(std::move(entry));
}

void read_services_section(Layout& layout, const Node& services, Diagnostics& diagnostics) {
    if (services.is_null()) {
        return;
    }
    if (!services.is_mapping()) {
        diagnostics.add(services.where, "\"services\" must be a mapping of service names to settings, not " +
                                            describe(services));
        return;
    }
    for (const auto& [key, body] : services.entries) {
        if (key.is_scalar()) {
            add_service(layout, key, body);
        }
    }
}

}  // namespace

std::string service_name_for_key(const std::string& key) {
    return looks_like_image_reference(key) ? service_name_from_image(key) : key;
}

Layout read_layout(const Node& root, Diagnostics& diagnostics) {
    Layout layout;
    if (!root.is_mapping()) {
        std::string what = root.is_null() ? "is empty" : "is " + describe(root) + ", not a mapping";
        diagnostics.add(root.where, "the template " + what + ": it maps service names to their settings");
        return layout;
    }
    for (const auto& [key, value] : root.entries) {
        if (key.is_scalar() && key.text == "services") {
            layout.long_form = true;
        }
    }
    for (const auto& [key, value] : root.entries) {
        if (!key.is_scalar()) {
            diagnostics.add(key.where, "a top-level key must be a string, not " + describe(key));
            continue;
        }
        if (key.text == "services") {
            read_services_section(layout, value, diagnostics);
        } else if (key.text == "env") {
            layout.env = &value;
        } else if (key.text == "vars") {
            layout.vars = &value;
        } else if (key.text == "calzion") {
            layout.settings = &value;
        } else if (key.text == "pipeline") {
            layout.pipeline = &value;
        } else if (!layout.long_form) {
            add_service(layout, key, value);
        } else {
            std::string message = "unknown top-level key " + util::quoted(key.text);
            std::string guess = util::did_you_mean(key.text, k_reserved_keys);
            message += guess.empty() ? ": with \"services:\", every service goes under it"
                                     : ", did you mean " + util::quoted(guess) + "?";
            diagnostics.add(key.where, message);
        }
    }
    return layout;
}

}  // namespace calzion::tmpl
