#include "util/dotenv.hpp"

#include <cctype>
#include <sstream>

#include "util/error.hpp"
#include "util/strings.hpp"

namespace calzion::util {

namespace {

std::string trim(const std::string& text) {
    size_t start = text.find_first_not_of(" \t\r");
    if (start == std::string::npos) {
        return {};
    }
    size_t end = text.find_last_not_of(" \t\r");
    return text.substr(start, end - start + 1);
}

bool is_name(const std::string& name) {
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front()))) {
        return false;
    }
    for (char c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-') {
            return false;
        }
    }
    return true;
}

// Read a double-quoted value starting after the opening quote; nullopt if unterminated.
std::optional<std::string> double_quoted(const std::string& text, size_t start) {
    std::string value;
    for (size_t i = start; i < text.size(); ++i) {
        char c = text[i];
        if (c == '"') {
            return value;
        }
        if (c == '\\' && i + 1 < text.size()) {
            char next = text[++i];
            value += next == 'n' ? '\n' : next == 't' ? '\t' : next == 'r' ? '\r' : next;
        } else {
            value += c;
        }
    }
    return std::nullopt;
}

std::optional<std::string> parse_value(const std::string& raw) {
    std::string text = trim(raw);
    if (!text.empty() && text.front() == '\'') {
        size_t end = text.find('\'', 1);
        return end == std::string::npos ? std::nullopt : std::optional(text.substr(1, end - 1));
    }
    if (!text.empty() && text.front() == '"') {
        return double_quoted(text, 1);
    }
    size_t comment = text.find(" #");
    return trim(text.substr(0, comment));
}

}  // namespace

std::map<std::string, std::string> parse_dotenv(const std::string& file, const std::string& text) {
    std::map<std::string, std::string> values;
    std::istringstream lines(text);
    std::string line;
    int number = 0;
    while (std::getline(lines, line)) {
        ++number;
        std::string content = trim(line);
        if (content.empty() || content.front() == '#') {
            continue;
        }
        if (starts_with(content, "export ")) {
            content = trim(content.substr(7));
        }
        size_t equals = content.find('=');
        std::string name = equals == std::string::npos ? content : trim(content.substr(0, equals));
        std::optional<std::string> value;
        if (equals != std::string::npos && is_name(name)) {
            value = parse_value(content.substr(equals + 1));
        }
        if (!value) {
            throw Error(ErrorKind::invalid_data, SourceLocation{file, number, 0},
                        "expected NAME=value, not " + util::quoted(content));
        }
        values[name] = *value;
    }
    return values;
}

}  // namespace calzion::util
