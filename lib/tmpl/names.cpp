#include "tmpl/names.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

#include "util/error.hpp"
#include "util/strings.hpp"

namespace calzion::tmpl {

namespace {

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// A path component: [a-z0-9]+ with single separators ".", "_", "__" or "-"+ between.
bool is_path_component(std::string_view part) {
    size_t i = 0;
    if (part.empty() || !is_lower_alnum(part.front())) {
        return false;
    }
    while (i < part.size()) {
        if (is_lower_alnum(part[i])) {
            ++i;
            continue;
        }
        if (part[i] == '.') {
            ++i;
        } else if (part[i] == '_') {
            i += part.compare(i, 2, "__") == 0 ? 2 : 1;
        } else if (part[i] == '-') {
            i = std::min(part.find_first_not_of('-', i), part.size());
        } else {
            return false;
        }
        // A separator is always followed by a letter or digit.
        if (i >= part.size() || !is_lower_alnum(part[i])) {
            return false;
        }
    }
    return true;
}

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    size_t start = 0;
    while (true) {
        size_t end = text.find(separator, start);
        parts.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos) {
            return parts;
        }
        start = end + 1;
    }
}

// A registry host: a host name (labels of letters, digits and inner "-",
// separated by single dots) with an optional ":port".
bool is_registry_host(std::string_view part) {
    size_t colon = part.find(':');
    for (std::string_view label : split(part.substr(0, colon), '.')) {
        if (label.empty() || label.front() == '-' || label.back() == '-') {
            return false;
        }
        for (char c : label) {
            if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') {
                return false;
            }
        }
    }
    if (colon == std::string_view::npos) {
        return true;
    }
    std::string_view port = part.substr(colon + 1);
    return !port.empty() && port.size() <= 5 && port.find_first_not_of("0123456789") == std::string_view::npos;
}

bool is_tag(std::string_view tag) {
    if (tag.empty() || tag.size() > 128 || tag.front() == '.' || tag.front() == '-') {
        return false;
    }
    for (char c : tag) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-') {
            return false;
        }
    }
    return true;
}

bool is_digest(std::string_view digest) {
    size_t colon = digest.find(':');
    if (colon == std::string_view::npos || colon == 0 || digest.size() - colon - 1 < 32) {
        return false;
    }
    for (char c : digest.substr(colon + 1)) {
        if (!std::isxdigit(static_cast<unsigned char>(c))) {
            return false;
        }
    }
    return true;
}

}  // namespace

std::optional<std::string> dns_label_problem(std::string_view name) {
    if (name.empty()) {
        return "a name cannot be empty";
    }
    if (name.size() > 63) {
        return "a name is at most 63 characters";
    }
    if (!is_lower_alnum(name.front())) {
        return "a name starts with a lowercase letter or a digit";
    }
    for (char c : name) {
        if (!is_lower_alnum(c) && c != '-') {
            return "a name has only lowercase letters, digits and \"-\"";
        }
    }
    if (name.back() == '-') {
        return "a name ends with a lowercase letter or a digit";
    }
    return std::nullopt;
}

void check_instance_name(const std::string& instance) {
    if (auto problem = dns_label_problem(instance)) {
        throw Error(ErrorKind::usage, "invalid instance name " + util::quoted(instance) + ": " + *problem);
    }
}

std::optional<std::string> image_reference_problem(std::string_view reference) {
    if (reference.empty() || reference.size() > 255) {
        return "an image reference has 1 to 255 characters";
    }
    std::string_view rest = reference;
    if (size_t at = rest.find('@'); at != std::string_view::npos) {
        if (!is_digest(rest.substr(at + 1))) {
            return "the digest after \"@\" must read algorithm:hex";
        }
        rest = rest.substr(0, at);
    }
    size_t last_slash = rest.rfind('/');
    size_t colon = rest.rfind(':');
    if (colon != std::string_view::npos && (last_slash == std::string_view::npos || colon > last_slash)) {
        if (!is_tag(rest.substr(colon + 1))) {
            return "the tag after \":\" has letters, digits, \"_\", \".\" and \"-\"";
        }
        rest = rest.substr(0, colon);
    }
    auto parts = split(rest, '/');
    size_t first = 0;
    if (parts.size() > 1 && (parts[0].find_first_of(".:") != std::string_view::npos || parts[0] == "localhost")) {
        if (!is_registry_host(parts[0])) {
            return "invalid registry host " + util::quoted(parts[0]);
        }
        first = 1;
    }
    for (size_t i = first; i < parts.size(); ++i) {
        if (!is_path_component(parts[i])) {
            return "image names have lowercase letters, digits and separators (\".\", \"_\", \"-\") between them";
        }
    }
    return std::nullopt;
}

bool looks_like_image_reference(std::string_view key) {
    return key.find_first_of("/:@") != std::string_view::npos;
}

std::string service_name_from_image(std::string_view reference) {
    std::string_view rest = reference.substr(0, reference.find('@'));
    size_t slash = rest.rfind('/');
    std::string_view last = slash == std::string_view::npos ? rest : rest.substr(slash + 1);
    return std::string(last.substr(0, last.find(':')));
}

bool is_env_name(std::string_view name) {
    if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front()))) {
        return false;
    }
    for (char c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') {
            return false;
        }
    }
    return true;
}

}  // namespace calzion::tmpl
