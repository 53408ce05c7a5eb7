#pragma once

// What a real one-node swarm answered (tests/data/swarm/), for the tests of
// the swarm backend, and the template its services were deployed from.

#include <string>

namespace calzion::testing {

// The text of tests/data/swarm/NAME (REQUIREs that it exists).
std::string swarm_capture(const std::string& name);

// The web service of the template deployed as instance try1 on that swarm
// (no IPVS, state directory /var/lib/calzion), GREETING unset and secret
// TOKEN in try1_TOKEN_2ed45968. Tests append services of their own.
extern const char* const k_swarm_web;

}  // namespace calzion::testing
