#pragma once

#include "infra/infrastructure.hpp"
#include "tmpl/document.hpp"

namespace calzion::infra {

// Read an infrastructure document, reporting every problem to `diagnostics`
// with its location: unknown keys (with a did-you-mean), wrong types, invalid
// names and addresses, hosts an instance names that the file does not define,
// `place` on a host the instance does not use, invalid or repeated domains,
// swarm settings on an instance of the docker backend, a swarm instance's
// `place`, `edges` and `builder` off its nodes, an invalid `registry`.
Infrastructure parse(const tmpl::Node& root, Diagnostics& diagnostics);

}  // namespace calzion::infra
