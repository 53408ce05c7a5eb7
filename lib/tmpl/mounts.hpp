#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "tmpl/spec.hpp"

namespace calzion::tmpl {

// Parse a volume: "/data[:ro]" (a directory kept with the instance),
// "name:/data[:ro]" (a named volume of the instance) or "/host:/data[:ro]" (a bind).
// On failure returns nullopt and says why in `problem`.
std::optional<Volume> parse_volume(std::string_view text, std::string& problem);

// Parse a published port: "80", "8080:80", "127.0.0.1:8080:80", each with an
// optional "/tcp" or "/udp". On failure returns nullopt and says why in `problem`.
std::optional<Port> parse_port(std::string_view text, std::string& problem);

// The port as docker's --publish takes it.
std::string to_publish_argument(const Port& port);

}  // namespace calzion::tmpl
