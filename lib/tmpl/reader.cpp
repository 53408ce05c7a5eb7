#include "tmpl/reader.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>
#include <unordered_map>

#include "tmpl/names.hpp"
#include "util/shell.hpp"
#include "util/strings.hpp"

namespace calzion::tmpl {

namespace {

bool is_duration(std::string_view text) {
    static const std::vector<std::string> units = {"ns", "us", "ms", "s", "m", "h"};
    size_t i = 0;
    if (text.empty()) {
        return false;
    }
    while (i < text.size()) {
        size_t digits = i;
        while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
            ++i;
        }
        if (i == digits) {
            return false;
        }
        auto unit = std::find_if(units.begin(), units.end(),
                                 [&](const std::string& u) { return text.substr(i, u.size()) == u; });
        // "ms" must win over "m": the list is ordered so that it does.
        if (unit == units.end()) {
            return false;
        }
        i += unit->size();
    }
    return true;
}

bool all_digits(std::string_view text) {
    return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

bool Reader::deferred(const Node& node) const {
    if (!m_lenient || !node.is_scalar()) {
        return false;
    }
    // "$$" is a literal "$": a value with nothing else is checked as written.
    const std::string& text = node.text;
    for (size_t at = text.find('$'); at != std::string::npos; at = text.find('$', at + 2)) {
        if (at + 1 >= text.size() || text[at + 1] != '$') {
            return true;
        }
    }
    return false;
}

void Reader::wrong_type(const Node& node, const std::string& what, const std::string& expected) {
    if (node.is_null()) {
        error(node, what + " has no value: expected " + expected);
    } else {
        error(node, what + " must be " + expected + ", not " + describe(node));
    }
}

std::optional<std::string> Reader::string(const Node& node, const std::string& what) {
    if (!node.is_scalar()) {
        wrong_type(node, what, "a string");
        return std::nullopt;
    }
    return node.text;
}

std::optional<std::vector<std::string>> Reader::string_list(const Node& node, const std::string& what) {
    if (!node.is_sequence()) {
        wrong_type(node, what, "a list of strings");
        return std::nullopt;
    }
    std::vector<std::string> values;
    bool ok = true;
    for (const auto& item : node.items) {
        auto value = string(item, "an item of " + what);
        ok = ok && value.has_value();
        if (value) {
            values.push_back(*value);
        }
    }
    return ok ? std::optional(values) : std::nullopt;
}

std::map<std::string, std::string> Reader::string_map(const Node& node, const std::string& what) {
    std::map<std::string, std::string> values;
    if (node.is_sequence()) {
        for (const auto& item : node.items) {
            auto text = string(item, "an item of " + what);
            if (!text) {
                continue;
            }
            size_t equals = text->find('=');
            if (equals == std::string::npos || equals == 0) {
                error(item, "an item of " + what + " must read NAME=value, not " + util::quoted(*text));
                continue;
            }
            values[text->substr(0, equals)] = text->substr(equals + 1);
        }
        return values;
    }
    if (!node.is_mapping()) {
        wrong_type(node, what, "a mapping of names to values");
        return values;
    }
    for (const auto& [key, value] : node.entries) {
        if (!key.is_scalar()) {
            error(key, "a key of " + what + " must be a string, not " + describe(key));
            continue;
        }
        if (auto text = string(value, util::quoted(key.text) + " in " + what)) {
            values[key.text] = *text;
        }
    }
    return values;
}

std::optional<std::vector<std::string>> Reader::command(const Node& node, const std::string& what) {
    if (node.is_sequence()) {
        return string_list(node, what);
    }
    if (!node.is_scalar()) {
        wrong_type(node, what, "a string or a list of strings");
        return std::nullopt;
    }
    try {
        auto words = util::shell_split(node.text);
        if (words.empty()) {
            error(node, what + " is empty");
            return std::nullopt;
        }
        return words;
    } catch (const std::invalid_argument& problem) {
        error(node, what + " cannot be split into words: " + problem.what());
        return std::nullopt;
    }
}

std::optional<int> Reader::integer(const Node& node, const std::string& what, long min, long max) {
    if (!node.is_scalar() || deferred(node)) {
        if (!node.is_scalar()) {
            wrong_type(node, what, "a number");
        }
        return std::nullopt;
    }
    if (!all_digits(node.text) || node.text.size() > 9 || std::stol(node.text) < min || std::stol(node.text) > max) {
        error(node, what + " must be a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
                        ", not " + util::quoted(node.text));
        return std::nullopt;
    }
    return static_cast<int>(std::stol(node.text));
}

std::optional<std::string> Reader::duration(const Node& node, const std::string& what) {
    auto text = string(node, what);
    if (!text || deferred(node)) {
        return text;
    }
    if (all_digits(*text) && text->size() < 9) {
        return *text + "s";
    }
    if (!is_duration(*text)) {
        error(node, what + " must be a duration such as \"30s\", \"1m30s\" or \"500ms\", not " + util::quoted(*text));
        return std::nullopt;
    }
    return text;
}

std::optional<std::string> Reader::choice(const Node& node, const std::string& what,
                                          const std::vector<std::string>& choices) {
    auto text = string(node, what);
    if (!text || deferred(node)) {
        return text;
    }
    if (std::find(choices.begin(), choices.end(), *text) == choices.end()) {
        std::string list;
        for (const auto& c : choices) {
            list += (list.empty() ? "" : ", ") + util::quoted(c);
        }
        std::string guess = util::did_you_mean(*text, choices);
        error(node, what + " must be one of " + list + ", not " + util::quoted(*text) +
                        (guess.empty() ? "" : ", did you mean " + util::quoted(guess) + "?"));
        return std::nullopt;
    }
    return text;
}

void check_duplicate_keys(const Node& node, Diagnostics& diagnostics) {
    if (node.is_sequence()) {
        for (const auto& item : node.items) {
            check_duplicate_keys(item, diagnostics);
        }
        return;
    }
    if (!node.is_mapping()) {
        return;
    }
    std::unordered_map<std::string, int> first_line;
    for (const auto& [key, value] : node.entries) {
        if (key.is_scalar()) {
            auto [it, inserted] = first_line.emplace(key.text, key.where.line);
            if (!inserted) {
                diagnostics.add(key.where, "duplicate key " + util::quoted(key.text) + " (first defined on line " +
                                               std::to_string(it->second) + ")");
            }
        }
        check_duplicate_keys(value, diagnostics);
    }
}

namespace {

// Docker Compose's word for a key that calzion names otherwise, when `known`
// has calzion's word: too far apart for a spelling guess.
std::string compose_word(const std::string& key, const std::vector<std::string>& known) {
    static const std::vector<std::pair<std::string, std::string>> words = {{"command", "cmd"},
                                                                           {"environment", "env"}};
    for (const auto& [compose, ours] : words) {
        if (key == compose && std::find(known.begin(), known.end(), ours) != known.end()) {
            return ours;
        }
    }
    return "";
}

}  // namespace

void check_known_keys(const Node& mapping, const std::vector<std::string>& known, const std::string& where,
                      Diagnostics& diagnostics) {
    for (const auto& [key, value] : mapping.entries) {
        if (!key.is_scalar()) {
            diagnostics.add(key.where, "a key in " + where + " must be a string, not " + describe(key));
            continue;
        }
        if (std::find(known.begin(), known.end(), key.text) != known.end()) {
            continue;
        }
        std::string message = "unknown key " + util::quoted(key.text) + " in " + where;
        std::string guess = compose_word(key.text, known);
        if (guess.empty()) {
            guess = util::did_you_mean(key.text, known);
        }
        if (!guess.empty()) {
            message += ", did you mean " + util::quoted(guess) + "?";
        }
        diagnostics.add(key.where, message);
    }
}

const Node& entry_node(const Node& container, const std::string& name) {
    for (const auto& [key, value] : container.entries) {
        if (key.text == name) {
            return key;
        }
    }
    for (const auto& item : container.items) {
        if (item.text.compare(0, name.size() + 1, name + "=") == 0) {
            return item;
        }
    }
    return container;
}

std::map<std::string, std::string> Reader::env_map(const Node& node, const std::string& what) {
    auto env = string_map(node, what);
    for (const auto& [name, value] : env) {
        if (!is_env_name(name)) {
            error(entry_node(node, name), what + ": " + util::quoted(name) +
                                              " is not a variable name (letters, digits and \"_\", not starting "
                                              "with a digit)");
        }
    }
    return env;
}

}  // namespace calzion::tmpl
