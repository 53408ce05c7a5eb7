#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace calzion::util {

// Number of single-character edits that turn a into b.
size_t edit_distance(std::string_view a, std::string_view b);

// Return the candidate closest to `word` if it is close enough to be a likely
// typo (at most a third of the word's length in edits), else an empty string.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

// Quote `text` for a message: "text", with quotes and backslashes escaped, and
// control characters (C0, DEL, C1) and bytes that are not UTF-8 written as \xNN, so
// that nothing in a message can steer a terminal. A text longer than k_max_quoted
// bytes is cut there (never inside a UTF-8 sequence) and ends in "...": hostile
// input must not make megabyte messages.
inline constexpr size_t k_max_quoted = 200;
std::string quoted(std::string_view text);

// `text` with every control character but tab (C0, DEL, C1) and every byte that is
// not UTF-8 replaced by "?", byte for byte, so that columns still line up: for
// showing a source line on a terminal.
std::string printable(std::string_view text);

bool starts_with(std::string_view text, std::string_view prefix);

// `text` with ASCII letters in lower case (other bytes unchanged).
std::string lowercase(std::string_view text);

// The lines of `text` without their line breaks; a final line break ends the
// last line rather than starting an empty one.
std::vector<std::string> split_lines(const std::string& text);

// The last `count` non-blank lines of another program's output, each after
// `indent`, joined with line breaks, for a message; "" when it has none.
std::string last_lines(const std::string& text, size_t count, const std::string& indent = "");

// Another program's stderr in one line for a message: its non-blank lines joined
// with "; " (docker often gives the reason on the last line), or "no output".
std::string one_line(const std::string& text);

// The length of the valid UTF-8 sequence that starts at text[at] (1 for ASCII), or
// 0 when none does.
size_t utf8_sequence_length(std::string_view text, size_t at);

// The offset of the first byte of `text` that is not part of valid UTF-8 (overlong
// forms, surrogates and code points above U+10FFFF are invalid), or nullopt.
std::optional<size_t> invalid_utf8_offset(std::string_view text);

// The items separated by ", ": "a, b, c" (empty for none).
std::string comma_list(const std::vector<std::string>& items);

}  // namespace calzion::util
