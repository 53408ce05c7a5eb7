#include "util/dotenv.hpp"

#include <cctype>
#include <optional>
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

// Read a double-quoted value starting after the opening quote; set `end` to the
// closing quote. Nullopt if unterminated.
std::optional<std::string> double_quoted(const std::string& text, size_t start, size_t& end) {
    std::string value;
    for (size_t i = start; i < text.size(); ++i) {
        char c = text[i];
        if (c == '"') {
            end = i;
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

// Only blanks or a comment may follow a closing quote.
bool nothing_after(const std::string& text, size_t end) {
    std::string rest = trim(text.substr(end + 1));
    return rest.empty() || rest.front() == '#';
}

// The value after "NAME=", or why it cannot be read. The problem never quotes the
// value: dotenv files hold secrets.
std::optional<std::string> parse_value(const std::string& raw, std::string& problem) {
    std::string text = trim(raw);
    if (text.empty() || (text.front() != '\'' && text.front() != '"')) {
        return trim(text.substr(0, text.find(" #")));
    }
    size_t end = std::string::npos;
    std::optional<std::string> value;
    if (text.front() == '\'') {
        end = text.find('\'', 1);
        if (end != std::string::npos) {
            value = text.substr(1, end - 1);
        }
    } else {
        value = double_quoted(text, 1, end);
    }
    if (!value) {
        problem = "has no closing quote";
        return std::nullopt;
    }
    if (!nothing_after(text, end)) {
        problem = "goes on after its closing quote";
        return std::nullopt;
    }
    return value;
}

// Read one NAME=value line into `values`; throws Error(invalid_data) at file:line.
void parse_line(const std::string& file, int number, std::string content,
                std::map<std::string, std::string>& values) {
    auto fail = [&](const std::string& message) {
        throw Error(ErrorKind::invalid_data, SourceLocation{file, number, 0}, message);
    };
    if (starts_with(content, "export ")) {
        content = trim(content.substr(7));
    }
    size_t equals = content.find('=');
    if (equals == std::string::npos) {
        // The line is not echoed: it may be a secret pasted on its own.
        fail("expected NAME=value");
    }
    std::string name = trim(content.substr(0, equals));
    if (!is_name(name)) {
        fail("invalid variable name " + util::quoted(name) +
             ": names have letters, digits, \"_\", \".\" and \"-\", and do not start with a digit");
    }
    std::string problem;
    std::optional<std::string> value = parse_value(content.substr(equals + 1), problem);
    if (!value) {
        fail("the value of " + util::quoted(name) + " " + problem);
    }
    values[name] = *value;
}

}  // namespace

std::map<std::string, std::string> parse_dotenv(const std::string& file, const std::string& text) {
    std::map<std::string, std::string> values;
    // Editors on Windows may start the file with a byte order mark.
    std::istringstream lines(starts_with(text, "\xef\xbb\xbf") ? text.substr(3) : text);
    std::string line;
    int number = 0;
    while (std::getline(lines, line)) {
        ++number;
        std::string content = trim(line);
        if (!content.empty() && content.front() != '#') {
            parse_line(file, number, content, values);
        }
    }
    return values;
}

}  // namespace calzion::util
