#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace calzion::util {

// Number of single-character edits that turn a into b.
size_t edit_distance(std::string_view a, std::string_view b);

// Return the candidate closest to `word` if it is close enough to be a likely
// typo (at most a third of the word's length in edits), else an empty string.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

// Quote `text` for a message: "text", with control characters escaped.
std::string quoted(std::string_view text);

bool starts_with(std::string_view text, std::string_view prefix);

}  // namespace calzion::util
