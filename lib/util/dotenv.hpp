#pragma once

#include <map>
#include <string>

namespace calzion::util {

// Parse a dotenv file: `NAME=value` lines, optionally prefixed by `export `; a
// leading UTF-8 byte order mark, blank lines and `#` comments are skipped. Values
// may be 'single-quoted' (literal), "double-quoted" (escapes \n, \t, \r, \" and
// \\; a backslash before any other character stands for that character),
// each followed by nothing but an optional comment, or bare (trimmed, ending at
// " #"). Names have letters, digits, "_", "." and "-", and do not start with a
// digit; a later line wins over an earlier one. Nothing is interpolated. Throws
// Error(invalid_data) at file:line on a line that is none of these; the message
// never shows a value (these files hold secrets).
std::map<std::string, std::string> parse_dotenv(const std::string& file, const std::string& text);

}  // namespace calzion::util
