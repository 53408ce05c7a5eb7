#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace calzion::tmpl {

// Why `name` is not a valid instance or service name (a DNS label:
// [a-z0-9], or [a-z0-9][a-z0-9-]{0,61}[a-z0-9]), or nullopt when it is.
std::optional<std::string> dns_label_problem(std::string_view name);

// Check an instance name, which ends up in paths and commands on the host:
// only DNS labels pass. Throws Error(usage) "invalid instance name "NAME": WHY".
void check_instance_name(const std::string& instance);

// Why `reference` is not a valid image reference ([registry[:port]/]path[:tag][@digest]),
// or nullopt when it is.
std::optional<std::string> image_reference_problem(std::string_view reference);

// Whether a top-level key of the short form reads as an image reference
// ("elsdoerfer/rethinkdb", "redis:7") rather than a bare service name.
bool looks_like_image_reference(std::string_view key);

// The service name an image reference stands for: its last path component
// without tag or digest ("elsdoerfer/rethinkdb:2.4" -> "rethinkdb").
std::string service_name_from_image(std::string_view reference);

// Whether `name` is a valid environment variable name: [A-Za-z_][A-Za-z0-9_]*.
bool is_env_name(std::string_view name);

}  // namespace calzion::tmpl
