#include "infra/domain.hpp"

namespace calzion::infra {

namespace {

bool is_label_byte(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'; }

std::optional<std::string> label_problem(std::string_view label) {
    if (label.empty()) {
        return "it has an empty label (\"..\", or a dot at either end)";
    }
    if (label.size() > 63) {
        return "a label is longer than 63 characters";
    }
    for (char c : label) {
        if (!is_label_byte(c)) {
            return c >= 'A' && c <= 'Z' ? "it must be in lowercase"
                                        : "it may only hold letters a-z, digits, hyphens and dots";
        }
    }
    if (label.front() == '-' || label.back() == '-') {
        return "a label starts or ends with a hyphen";
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> domain_problem(std::string_view domain) {
    // nginx matches "*.example.com" against any name that ends in ".example.com".
    if (domain.substr(0, 2) == "*.") {
        domain.remove_prefix(2);
    }
    if (domain.empty()) {
        return "it is empty";
    }
    if (domain.size() > 253) {
        return "it is longer than 253 characters";
    }
    size_t start = 0;
    while (true) {
        size_t dot = domain.find('.', start);
        auto problem = label_problem(domain.substr(start, dot == std::string_view::npos ? dot : dot - start));
        if (problem) {
            return problem;
        }
        if (dot == std::string_view::npos) {
            return std::nullopt;
        }
        start = dot + 1;
    }
}

}  // namespace calzion::infra
