#include "output/ansi.hpp"

#include <string_view>

#include "util/strings.hpp"

namespace calzion::output {

namespace {

const char* code_of(Color tint) {
    switch (tint) {
    case Color::green: return "32";
    case Color::yellow: return "33";
    case Color::red: return "31";
    case Color::bold: return "1";
    }
    return "0";
}

}  // namespace

std::string paint(const std::string& text, Color tint, bool color) {
    if (!color || text.empty()) {
        return text;
    }
    return std::string("\x1b[") + code_of(tint) + "m" + text + "\x1b[0m";
}

std::string paint_padded(const std::string& text, std::size_t width, Color tint, bool color) {
    std::string padding = text.size() < width ? std::string(width - text.size(), ' ') : "";
    return paint(text, tint, color) + padding;
}

std::string cursor_up(int lines) {
    return lines > 0 ? "\r\x1b[" + std::to_string(lines) + "A" : "\r";
}

std::string indented_lines(const std::string& text, const std::string& indent) {
    std::string out;
    size_t start = 0;
    std::string_view rest = text;
    while (!rest.empty() && (rest.back() == '\n' || rest.back() == '\r')) {
        rest.remove_suffix(1);
    }
    while (start <= rest.size()) {
        size_t end = rest.find('\n', start);
        std::string_view line = rest.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        out += (start == 0 ? "" : "\n" + indent) + util::printable(line);
        if (end == std::string_view::npos) {
            break;
        }
        start = end + 1;
    }
    return out;
}

}  // namespace calzion::output
