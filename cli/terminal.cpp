#include "terminal.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <iostream>
#include <sys/ioctl.h>
#include <unistd.h>

namespace calzion::cli {

namespace {

std::string paint(const std::string& text, const char* code, bool color) {
    return color ? std::string("\x1b[") + code + "m" + text + "\x1b[0m" : text;
}

void print_source_line(const Diagnostic& diagnostic, bool color) {
    if (diagnostic.source_line.empty()) {
        return;
    }
    std::string number = std::to_string(diagnostic.where.line);
    std::cerr << " " << number << " | " << diagnostic.source_line << "\n";
    if (diagnostic.where.column > 0) {
        // Keep tabs so that the caret lines up under the same character.
        std::string pad;
        for (int i = 0; i < diagnostic.where.column - 1 && i < static_cast<int>(diagnostic.source_line.size()); ++i) {
            pad += diagnostic.source_line[static_cast<size_t>(i)] == '\t' ? '\t' : ' ';
        }
        std::cerr << " " << std::string(number.size(), ' ') << " | " << pad << paint("^", "1;32", color) << "\n";
    }
}

void print_one(const std::string& host, const std::string& where, const std::string& message, bool color) {
    std::cerr << "calzion: " << paint("error:", "1;31", color) << " ";
    if (!host.empty()) {
        std::cerr << host << ": ";
    }
    if (!where.empty()) {
        std::cerr << paint(where + ":", "1", color) << " ";
    }
    std::cerr << message << "\n";
}

}  // namespace

bool use_color(const std::string& when, int fd) {
    if (when == "always") {
        return true;
    }
    if (when == "never") {
        return false;
    }
    const char* no_color = std::getenv("NO_COLOR");
    if (no_color != nullptr && *no_color != '\0') {
        return false;
    }
    return ::isatty(fd) == 1;
}

bool is_smart_terminal(int fd) {
    const char* term = std::getenv("TERM");
    return ::isatty(fd) == 1 && term != nullptr && *term != '\0' && std::string(term) != "dumb";
}

output::ScreenSize terminal_size(int fd) {
    struct winsize size {};
    if (::ioctl(fd, TIOCGWINSZ, &size) != 0) {
        return {};
    }
    return {size.ws_col, size.ws_row};
}

bool locale_is_utf8() {
    for (const char* name : {"LC_ALL", "LC_CTYPE", "LANG"}) {
        const char* value = std::getenv(name);
        if (value != nullptr && *value != '\0') {
            std::string lower = value;
            std::transform(lower.begin(), lower.end(), lower.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            return lower.find("utf-8") != std::string::npos || lower.find("utf8") != std::string::npos;
        }
    }
    return false;
}

void print_error(const Error& error, bool color) {
    if (error.diagnostics().empty()) {
        print_one(error.host(), error.where() ? error.where()->to_string() : "", error.message(), color);
        return;
    }
    for (const auto& diagnostic : error.diagnostics()) {
        print_one(error.host(), diagnostic.where.to_string(), diagnostic.message, color);
        print_source_line(diagnostic, color);
    }
    if (error.diagnostics().size() > 1) {
        std::cerr << "calzion: " << error.diagnostics().size() << " problems found\n";
    }
}

}  // namespace calzion::cli
