#include "tmpl/yaml_emit.hpp"

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include <cctype>

#include "util/error.hpp"
#include "util/strings.hpp"

namespace calzion::tmpl {

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

// Whether `text` holds what some YAML readers refuse even in double quotes
// (DEL), or take for a line break (U+2028, U+2029 in YAML 1.1), or bytes that
// are not UTF-8: such a string is written in ASCII only, every other character
// escaped.
bool needs_ascii(const std::string& text) {
    for (size_t i = 0; i < text.size();) {
        size_t length = util::utf8_sequence_length(text, i);
        if (length == 0 || text[i] == 0x7f ||
            (length == 3 && text.compare(i, 2, "\xe2\x80") == 0 && (text[i + 2] == '\xa8' || text[i + 2] == '\xa9'))) {
            return true;
        }
        i += length;
    }
    return false;
}

// Write `value` as a node: mappings and lists in block style, empty ones as
// {} and [], strings plain unless needs_quotes, numbers and booleans as JSON
// writes them.
void emit(YAML::Emitter& out, const json& value) {
    if (value.is_object()) {
        out << (value.empty() ? YAML::Flow : YAML::Block) << YAML::BeginMap;
        for (const auto& [key, item] : value.items()) {
            out << YAML::Key;
            emit(out, json(key));
            out << YAML::Value;
            emit(out, item);
        }
        out << YAML::EndMap;
    } else if (value.is_array()) {
        out << (value.empty() ? YAML::Flow : YAML::Block) << YAML::BeginSeq;
        for (const auto& item : value) {
            emit(out, item);
        }
        out << YAML::EndSeq;
    } else if (value.is_string()) {
        const auto& text = value.get_ref<const std::string&>();
        if (needs_ascii(text)) {
            out << YAML::EscapeNonAscii;
        }
        out << (needs_quotes(text) ? YAML::DoubleQuoted : YAML::Auto) << text;
    } else if (std::string text = value.dump(); text == "null") {
        out << YAML::Null;  // null, and what JSON writes as null (NaN)
    } else {
        out << text;
    }
}

}  // namespace

std::string to_yaml(const json& value) {
    YAML::Emitter out;
    out.SetNullFormat(YAML::LowerNull);
    emit(out, value);
    if (!out.good()) {
        throw Error(ErrorKind::operation_failed, "internal error: cannot write YAML: " + out.GetLastError());
    }
    return std::string(out.c_str(), out.size()) + "\n";
}

}  // namespace calzion::tmpl
