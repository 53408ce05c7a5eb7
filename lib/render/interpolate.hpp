#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace calzion::render {

// Looks a variable up; nullopt when it is not set anywhere.
using Lookup = std::function<std::optional<std::string>(std::string_view name)>;

// The deepest nesting of "${" accepted; deeper references are an error, so hostile
// input cannot exhaust the stack.
inline constexpr int k_max_nesting = 32;

// The first problem found while reading or expanding a text.
struct InterpolationError {
    size_t offset;        // byte offset in the text of the '$' that starts the problem
    std::string message;  // lowercase, no trailing period, names quoted with ""
};

// The result of interpolate(): a value, or the first problem.
struct Interpolated {
    std::string value;
    std::optional<InterpolationError> error;  // first problem; value is meaningless then
};

// Expand every variable reference in text: $VAR, ${VAR}, ${VAR:-default},
// ${VAR-default}, ${VAR:?message}, ${VAR?message}, ${VAR:+alt}, ${VAR+alt}, and $$
// for a literal '$'. Defaults, alternatives and messages may contain references and
// are expanded only when used. Looked-up values are inserted verbatim, never expanded
// again. Stops at the first problem (syntax, unset variable, required variable) and
// reports it in `error`. An empty lookup means that nothing is set.
Interpolated interpolate(std::string_view text, const Lookup& lookup);

// Report the first syntax problem of text without resolving anything (for
// `calzion validate`); nullopt when the text is well formed. Unset or required
// variables are not syntax problems.
std::optional<InterpolationError> check_syntax(std::string_view text);

// Names referenced by text (in order, without duplicates), for diagnostics. Names in
// defaults, alternatives and messages count too. On a syntax error, the names
// before it.
std::vector<std::string> referenced_names(std::string_view text);

// Layered variable sources, strongest first: --set, the instance's vars in the
// infrastructure file, --vars-file, the process environment, the template's vars.
// A variable set to "" in a stronger layer hides the weaker layers: it is set.
class Variables {
public:
    // Add a layer weaker than every layer added before it.
    void add_layer(std::string source_name, std::map<std::string, std::string> values);
    // The value of name from the strongest layer that sets it; nullopt if none does.
    std::optional<std::string> lookup(std::string_view name) const;
    // Which layer supplies name ("--set", "environment", ...), for --verbose; nullopt if none.
    std::optional<std::string> source_of(std::string_view name) const;
    // A Lookup over these variables, for interpolate(); valid only while *this lives.
    Lookup as_lookup() const;

private:
    struct Layer {
        std::string source;
        std::map<std::string, std::string, std::less<>> values;
    };
    // The layer that supplies name and its entry there; nullptr if none.
    struct Found {
        const Layer* layer = nullptr;
        const std::string* value = nullptr;
    };
    Found find(std::string_view name) const;

    std::vector<Layer> m_layers;
};

}  // namespace calzion::render
