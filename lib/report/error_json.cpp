#include "report/error_json.hpp"

#include <nlohmann/json.hpp>

namespace calzion::report {

using nlohmann::json;

namespace {

json location_fields(const SourceLocation& where, json out) {
    out["file"] = where.file;
    out["line"] = where.line;
    out["column"] = where.column;
    return out;
}

}  // namespace

std::string error_to_json(const Error& error) {
    json body = {{"message", error.message()}, {"exit_code", exit_code_for(error.kind())}};
    body["host"] = error.host().empty() ? json(nullptr) : json(error.host());
    if (error.where()) {
        body = location_fields(*error.where(), body);
    }
    json diagnostics = json::array();
    for (const auto& diagnostic : error.diagnostics()) {
        diagnostics.push_back(location_fields(diagnostic.where, {{"message", diagnostic.message}}));
    }
    body["diagnostics"] = diagnostics;
    return json{{"error", body}}.dump(2) + "\n";
}

}  // namespace calzion::report
