#pragma once

#include <string>

#include "tmpl/document.hpp"
#include "tmpl/spec.hpp"

namespace calzion::tmpl {

// Read the typed template out of a document. Every problem found goes to
// `diagnostics`; what could be read is returned either way. In lenient mode, values
// that still hold `$` references are taken as they are (see Reader).
Template parse_template(const Node& root, Diagnostics& diagnostics, bool lenient);

// Check what relates services to each other: depends_on and expose name services
// and ports that exist, there are no dependency cycles, host ports are not
// published twice.
void check_relations(const Template& spec, Diagnostics& diagnostics);

}  // namespace calzion::tmpl
