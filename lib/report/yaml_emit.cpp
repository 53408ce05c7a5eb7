#include "report/yaml_emit.hpp"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cstdio>

#include "util/strings.hpp"

namespace calzion::report {

using json = nlohmann::ordered_json;

namespace {

bool reads_as_other_type(const std::string& text) {
    static const char* const keywords[] = {"true", "false", "yes", "no", "on", "off", "null", "~", "y", "n"};
    std::string lower;
    for (char c : text) {
        lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    for (const char* keyword : keywords) {
        if (lower == keyword) {
            return true;
        }
    }
    // Anything that starts like a number might be read as one.
    char first = text.front();
    return std::isdigit(static_cast<unsigned char>(first)) || first == '.' ||
           ((first == '-' || first == '+') && text.size() > 1);
}

bool needs_quotes(const std::string& text) {
    if (text.empty() || reads_as_other_type(text)) {
        return true;
    }
    if (std::string("-?:,[]{}#&*!|>'\"%@` ").find(text.front()) != std::string::npos || text.back() == ' ') {
        return true;
    }
    for (size_t i = 0; i < text.size(); ++i) {
        auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x20 || c == 0x7f || c >= 0x80) {
            return true;
        }
        if ((text[i] == ':' && (i + 1 == text.size() || text[i + 1] == ' ')) || (text[i] == '#' && text[i - 1] == ' ')) {
            return true;
        }
    }
    return false;
}

std::string escape(const char* format, unsigned value) {
    char buffer[16];
    std::snprintf(buffer, sizeof buffer, format, value);
    return buffer;
}

// The code point of the valid UTF-8 sequence of `length` bytes at text[at].
unsigned code_point(const std::string& text, size_t at, size_t length) {
    static const unsigned lead_mask[] = {0, 0x7f, 0x1f, 0x0f, 0x07};
    unsigned point = static_cast<unsigned char>(text[at]) & lead_mask[length];
    for (size_t i = 1; i < length; ++i) {
        point = (point << 6) | (static_cast<unsigned char>(text[at + i]) & 0x3f);
    }
    return point;
}

// A YAML double-quoted scalar. Printable UTF-8 is kept as it is; what YAML does
// not print (control characters, DEL, C1, line and paragraph separators, the byte
// order mark) is escaped, and a byte that is not UTF-8 becomes U+FFFD. (A JSON
// string is no answer: YAML has no surrogate pairs for characters beyond U+FFFF.)
std::string double_quoted(const std::string& text) {
    std::string out = "\"";
    for (size_t i = 0; i < text.size();) {
        size_t length = util::utf8_sequence_length(text, i);
        unsigned point = length == 0 ? 0xfffd : code_point(text, i, length);
        if (point == '"' || point == '\\') {
            out += '\\';
            out += static_cast<char>(point);
        } else if (point == '\n' || point == '\t' || point == '\r') {
            out += point == '\n' ? "\\n" : point == '\t' ? "\\t" : "\\r";
        } else if (point < 0x20 || point == 0x7f) {
            out += escape("\\x%02x", point);
        } else if ((point >= 0x80 && point <= 0x9f) || point == 0x2028 || point == 0x2029 || point == 0xfeff ||
                   length == 0) {
            out += escape("\\u%04x", point);
        } else {
            out.append(text, i, length);
        }
        i += length == 0 ? 1 : length;
    }
    return out + "\"";
}

std::string scalar(const json& value) {
    if (value.is_string()) {
        const auto& text = value.get_ref<const std::string&>();
        return needs_quotes(text) ? double_quoted(text) : text;
    }
    return value.dump();
}

bool is_block(const json& value) { return (value.is_object() || value.is_array()) && !value.empty(); }

void emit(const json& value, int indent, std::string& out);

void emit_object(const json& value, int indent, std::string& out) {
    for (const auto& [key, item] : value.items()) {
        out.append(static_cast<size_t>(indent), ' ');
        out += scalar(json(key)) + ":";
        if (is_block(item)) {
            out += "\n";
            emit(item, indent + 2, out);
        } else {
            out += " " + (item.is_object() ? "{}" : item.is_array() ? "[]" : scalar(item)) + "\n";
        }
    }
}

void emit_array(const json& value, int indent, std::string& out) {
    for (const auto& item : value) {
        out.append(static_cast<size_t>(indent), ' ');
        if (is_block(item)) {
            // Put the first line of a nested block right after the dash.
            std::string nested;
            emit(item, indent + 2, nested);
            out += "- " + nested.substr(static_cast<size_t>(indent) + 2);
        } else {
            out += "- " + (item.is_object() ? "{}" : item.is_array() ? "[]" : scalar(item)) + "\n";
        }
    }
}

void emit(const json& value, int indent, std::string& out) {
    if (value.is_object()) {
        emit_object(value, indent, out);
    } else if (value.is_array()) {
        emit_array(value, indent, out);
    } else {
        out += scalar(value) + "\n";
    }
}

}  // namespace

std::string to_yaml(const json& value) {
    std::string out;
    if (!is_block(value)) {
        return (value.is_object() ? "{}" : value.is_array() ? "[]" : scalar(value)) + "\n";
    }
    emit(value, 0, out);
    return out;
}

}  // namespace calzion::report
