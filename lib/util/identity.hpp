#pragma once

#include <string>

namespace calzion::util {

// The user running calzion ($USER, else the password database, else the uid).
std::string current_user();
// This machine's host name.
std::string machine_name();
// The current time as ISO 8601 UTC, to the second: "2026-11-22T09:14:03Z".
std::string utc_now_iso();

}  // namespace calzion::util
