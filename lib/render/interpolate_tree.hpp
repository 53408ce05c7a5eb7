#pragma once

#include <map>
#include <string>
#include <vector>

#include "render/interpolate.hpp"
#include "tmpl/document.hpp"

namespace calzion::render {

// The built-in variables that every service sees.
struct Builtins {
    std::string instance;
    std::string revision;
};

// Return a copy of a template document with every string value interpolated. Keys
// and the `vars` and `calzion` sections are left as written. Inside a service,
// ${service} is its name; values of the global `env` that use ${service} are left as
// written too, for global_env_by_service(). Each problem goes to `diagnostics` at the
// exact column of the reference when the source allows it; a variable whose value
// is not UTF-8 text or holds a NUL character is a problem too.
tmpl::Node interpolate_tree(const tmpl::Node& root, const Variables& variables, const Builtins& builtins,
                            Diagnostics& diagnostics);

// The values of the global `env` that use ${service}, interpolated for each of
// `services`: service -> variable -> value. A problem goes to `diagnostics` once.
std::map<std::string, std::map<std::string, std::string>> global_env_by_service(
    const tmpl::Node& root, const std::vector<std::string>& services, const Variables& variables,
    const Builtins& builtins, Diagnostics& diagnostics);

// Report the syntax problems of every reference in the values that rendering
// interpolates (not `vars` or `calzion`), resolving nothing.
void check_reference_syntax(const tmpl::Node& root, Diagnostics& diagnostics);

}  // namespace calzion::render
