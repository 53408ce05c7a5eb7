#pragma once

#include <map>
#include <string>

namespace calzion::state {

// Split what a state script printed into its sections: each starts with a line
// "<marker>NAME" ("@@calzion NAME" for the store's scripts) and runs to the
// next one. Returns NAME -> the text between, every line ending in "\n";
// lines before the first marker are dropped.
std::map<std::string, std::string> sections_of(const std::string& output, const std::string& marker = "@@calzion ");

// `text` without trailing blanks and line breaks.
std::string trimmed(const std::string& text);

// The non-negative number `text` holds (trimmed, at most 9 digits), or -1.
int number_in(const std::string& text);

// The state format a host recorded (the text of its "format" file; 0 when none).
// Throws Error(invalid_data) when it is newer than this calzion's: such a state
// is refused, never overwritten.
int state_format_in(const std::string& text, const std::string& state_dir);

}  // namespace calzion::state
