#pragma once

#include <cstddef>
#include <string>

namespace calzion::output {

// The colours calzion uses: green for what is fine or created, yellow for what
// changes or drifted, red for what is removed, missing or failed.
enum class Color { green, yellow, red, bold };

// `text` wrapped in the ANSI sequence of `tint` when `color` is set, else `text`.
std::string paint(const std::string& text, Color tint, bool color);

// `text` painted, then spaces up to `width` columns: the padding stays outside
// the colour, so that columns line up whether colour is on or off.
std::string paint_padded(const std::string& text, std::size_t width, Color tint, bool color);

// Text from a host or a program, each of its lines made printable (see
// util::printable) and every line after the first put on a line of its own
// that starts with `indent`: a multi-line message stays readable and cannot
// steer the terminal.
std::string indented_lines(const std::string& text, const std::string& indent);

// Redrawing a block of lines in place: back to the start of the line `lines`
// above, clear one line, clear from the cursor to the end of the screen.
std::string cursor_up(int lines);
inline constexpr const char* k_clear_line = "\x1b[2K";
inline constexpr const char* k_clear_below = "\x1b[J";

}  // namespace calzion::output
