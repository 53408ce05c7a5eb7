#pragma once

#include <string>

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
// ${service} is its name. Each problem goes to `diagnostics` at the exact column of
// the reference when the source allows it.
tmpl::Node interpolate_tree(const tmpl::Node& root, const Variables& variables, const Builtins& builtins,
                            Diagnostics& diagnostics);

// Report the syntax problems of every reference in the document, resolving nothing.
void check_reference_syntax(const tmpl::Node& root, Diagnostics& diagnostics);

}  // namespace calzion::render
