#include "screen.hpp"

#include <algorithm>
#include <stdexcept>

namespace calzion::test {

namespace {

struct Screen {
    std::vector<std::string> lines{""};
    size_t row = 0;
    size_t column = 0;

    void put(char c) {
        std::string& line = lines[row];
        if (line.size() < column) {
            line.resize(column, ' ');
        }
        if (column < line.size()) {
            line[column] = c;
        } else {
            line += c;
        }
        ++column;
    }

    void newline() {
        ++row;
        column = 0;
        if (row == lines.size()) {
            lines.emplace_back();
        }
    }

    // The sequence at bytes[at] ("\x1b[" then parameters and a final letter);
    // returns where it ends.
    size_t escape(const std::string& bytes, size_t at) {
        size_t end = bytes.find_first_of("ABCDHJKm", at + 2);
        if (bytes.compare(at, 2, "\x1b[") != 0 || end == std::string::npos) {
            throw std::runtime_error("unexpected escape sequence at byte " + std::to_string(at));
        }
        std::string parameter = bytes.substr(at + 2, end - at - 2);
        switch (bytes[end]) {
        case 'm': break;
        case 'A': row -= std::min(row, static_cast<size_t>(parameter.empty() ? 1 : std::stoi(parameter))); break;
        case 'K':
            if (parameter != "2") {
                throw std::runtime_error("unexpected ESC[" + parameter + "K");
            }
            lines[row].clear();
            break;
        case 'J':
            lines[row].resize(std::min(lines[row].size(), column));
            lines.resize(row + 1);
            break;
        default: throw std::runtime_error("unexpected escape sequence ESC[" + parameter + bytes[end]);
        }
        return end + 1;
    }
};

}  // namespace

std::vector<std::string> screen_after(const std::string& bytes) {
    Screen screen;
    for (size_t i = 0; i < bytes.size();) {
        char c = bytes[i];
        if (c == '\x1b') {
            i = screen.escape(bytes, i);
            continue;
        }
        if (c == '\n') {
            screen.newline();
        } else if (c == '\r') {
            screen.column = 0;
        } else {
            screen.put(c);
        }
        ++i;
    }
    std::vector<std::string> lines = screen.lines;
    if (!lines.empty() && lines.back().empty() && screen.row == lines.size() - 1) {
        lines.pop_back();
    }
    return lines;
}

}  // namespace calzion::test
