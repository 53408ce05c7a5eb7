#include "swarm/units.hpp"

#include <cctype>
#include <utility>

namespace calzion::swarm {

namespace {

constexpr long long k_second = 1'000'000'000;

// The number at the front of `text` from `at`, with its fraction as
// billionths; false when there is no digit.
bool read_number(const std::string& text, size_t& at, long long& whole, long long& billionths) {
    size_t start = at;
    whole = 0;
    billionths = 0;
    while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at])) && at - start < 15) {
        whole = whole * 10 + (text[at++] - '0');
    }
    bool digits = at > start;
    if (at < text.size() && text[at] == '.') {
        ++at;
        long long scale = 100'000'000;
        size_t fraction = at;
        while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at]))) {
            billionths += (text[at++] - '0') * scale;
            scale /= 10;
        }
        digits = digits || at > fraction;
    }
    return digits;
}

long long unit_ns(const std::string& unit) {
    static const std::pair<const char*, long long> units[] = {
        {"ns", 1}, {"us", 1'000}, {"µs", 1'000}, {"ms", 1'000'000}, {"s", k_second}, {"m", 60 * k_second},
        {"h", 3600 * k_second}};
    for (const auto& [name, ns] : units) {
        if (unit == name) {
            return ns;
        }
    }
    return 0;
}

}  // namespace

std::optional<long long> duration_ns(const std::string& text) {
    if (text.empty()) {
        return std::nullopt;
    }
    if (text.find_first_not_of("0123456789") == std::string::npos && text.size() < 10) {
        return std::stoll(text) * k_second;  // a bare number is seconds
    }
    long long total = 0;
    size_t at = 0;
    while (at < text.size()) {
        long long whole = 0;
        long long billionths = 0;
        if (!read_number(text, at, whole, billionths)) {
            return std::nullopt;
        }
        size_t unit_start = at;
        while (at < text.size() && !std::isdigit(static_cast<unsigned char>(text[at])) && text[at] != '.') {
            ++at;
        }
        long long ns = unit_ns(text.substr(unit_start, at - unit_start));
        if (ns == 0) {
            return std::nullopt;
        }
        total += whole * ns + static_cast<long long>(static_cast<long double>(billionths) * ns / k_second);
    }
    return total;
}

std::string duration_text(long long ns) {
    if (ns % k_second == 0) {
        return std::to_string(ns / k_second) + "s";
    }
    if (ns % 1'000'000 == 0) {
        return std::to_string(ns / 1'000'000) + "ms";
    }
    return std::to_string(ns) + "ns";
}

std::optional<long long> size_bytes(const std::string& text) {
    size_t digits = text.find_first_not_of("0123456789");
    if (digits == 0 || text.empty() || (digits != std::string::npos && digits + 1 != text.size()) ||
        text.size() > 16) {
        return std::nullopt;
    }
    long long number = std::stoll(text.substr(0, digits));
    if (digits == std::string::npos) {
        return number;
    }
    switch (std::tolower(static_cast<unsigned char>(text.back()))) {
    case 'b': return number;
    case 'k': return number << 10;
    case 'm': return number << 20;
    case 'g': return number << 30;
    default: return std::nullopt;
    }
}

std::string size_text(long long bytes) {
    static const std::pair<int, char> units[] = {{30, 'g'}, {20, 'm'}, {10, 'k'}};
    for (const auto& [shift, unit] : units) {
        long long size = 1LL << shift;
        if (bytes > 0 && bytes % size == 0) {
            return std::to_string(bytes / size) + unit;
        }
    }
    return std::to_string(bytes);
}

std::optional<long long> nano_cpus(const std::string& text) {
    size_t at = 0;
    long long whole = 0;
    long long billionths = 0;
    if (!read_number(text, at, whole, billionths) || at != text.size()) {
        return std::nullopt;
    }
    return whole * k_second + billionths;
}

std::string cpus_text(long long nano) {
    std::string text = std::to_string(nano / k_second);
    long long fraction = nano % k_second;
    if (fraction != 0) {
        std::string digits = std::to_string(fraction);
        digits.insert(0, 9 - digits.size(), '0');
        digits.erase(digits.find_last_not_of('0') + 1);
        text += "." + digits;
    }
    return text;
}

}  // namespace calzion::swarm
