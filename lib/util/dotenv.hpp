#pragma once

#include <map>
#include <string>

namespace calzion::util {

// Parse a dotenv file: `NAME=value` lines, optionally prefixed by `export `;
// blank lines and `#` comments are skipped. Values may be 'single-quoted'
// (literal), "double-quoted" (\n, \t, \" and \\ escapes) or bare (trimmed, ending at
// " #"). Nothing is interpolated. Throws Error(invalid_data) at file:line on a line
// that is none of these.
std::map<std::string, std::string> parse_dotenv(const std::string& file, const std::string& text);

}  // namespace calzion::util
