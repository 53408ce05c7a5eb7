#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace calzion::infra {

// Why `domain` cannot be routed, or nullopt when it can: a host name in
// lowercase, dot-separated labels of letters, digits and inner hyphens (at most
// 63 bytes each, 253 in all), like "www.example.com", or such a name after "*."
// for every name under it ("*.example.com"). It ends up in the router's
// configuration, so nothing else passes.
std::optional<std::string> domain_problem(std::string_view domain);

}  // namespace calzion::infra
