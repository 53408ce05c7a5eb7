#include "output/error_json.hpp"

#include <nlohmann/json.hpp>

#include "output/error_field.hpp"

namespace calzion::output {

using nlohmann::ordered_json;

namespace {

ordered_json location_fields(const SourceLocation& where, ordered_json out) {
    out["file"] = where.file.empty() ? ordered_json(nullptr) : ordered_json(where.file);
    out["line"] = where.line > 0 ? ordered_json(where.line) : ordered_json(nullptr);
    out["column"] = where.column > 0 ? ordered_json(where.column) : ordered_json(nullptr);
    return out;
}

ordered_json error_json(const Error& error) {
    ordered_json body = error_field(error);
    body["host"] = error.host().empty() ? ordered_json(nullptr) : ordered_json(error.host());
    body = location_fields(error.where().value_or(SourceLocation{}), body);
    ordered_json diagnostics = ordered_json::array();
    for (const auto& diagnostic : error.diagnostics()) {
        diagnostics.push_back(location_fields(diagnostic.where, {{"message", diagnostic.message}}));
    }
    body["diagnostics"] = diagnostics;
    return body;
}

ordered_json command_name(const std::string& command) {
    return command.empty() ? ordered_json(nullptr) : ordered_json(command);
}

}  // namespace

std::string json_envelope(const std::string& command, const std::string& document,
                          const std::optional<Error>& error) {
    ordered_json out = {{"command", command_name(command)}};
    ordered_json data = ordered_json::parse(document);
    for (auto& [key, value] : data.items()) {
        out[key] = std::move(value);
    }
    if (!out.contains("hosts")) {
        out["hosts"] = ordered_json::array();
    }
    out["error"] = error ? error_json(*error) : ordered_json(nullptr);
    return out.dump(2) + "\n";
}

std::string error_to_json(const std::string& command, const Error& error) {
    return json_envelope(command, "{}", error);
}

}  // namespace calzion::output
