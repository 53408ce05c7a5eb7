#include "util/strings.hpp"

#include <algorithm>
#include <cstdio>

namespace calzion::util {

size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<size_t> previous(b.size() + 1);
    std::vector<size_t> current(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) {
        previous[j] = j;
    }
    for (size_t i = 1; i <= a.size(); ++i) {
        current[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
            current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
            // Count a swap of two neighbours ("imgae") as one edit.
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
                current[j] = std::min(current[j], previous[j - 1]);
            }
        }
        std::swap(previous, current);
    }
    return previous[b.size()];
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
    std::string best;
    size_t best_distance = std::max<size_t>(1, word.size() / 3) + 1;
    for (const auto& candidate : candidates) {
        size_t distance = edit_distance(word, candidate);
        if (distance < best_distance) {
            best_distance = distance;
            best = candidate;
        }
    }
    return best;
}

namespace {

std::string hex_escape(unsigned char byte) {
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "\\x%02x", byte);
    return buffer;
}

// Whether the UTF-8 sequence at text[at] is a C1 control character (U+0080..U+009F),
// which some terminals obey as they do ESC.
bool is_c1(std::string_view text, size_t at) {
    return static_cast<unsigned char>(text[at]) == 0xc2 && at + 1 < text.size() &&
           static_cast<unsigned char>(text[at + 1]) < 0xa0;
}

}  // namespace

std::string quoted(std::string_view text) {
    std::string out = "\"";
    bool cut = text.size() > k_max_quoted;
    if (cut) {
        size_t end = k_max_quoted;
        while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xc0) == 0x80) {
            --end;  // not inside a UTF-8 sequence
        }
        text = text.substr(0, end);
    }
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        auto byte = static_cast<unsigned char>(c);
        size_t length = utf8_sequence_length(text, i);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (byte < 0x20 || byte == 0x7f || length == 0 || is_c1(text, i)) {
            // Nothing that could steer a terminal, nor a byte that is not UTF-8, gets through.
            out += hex_escape(byte);
        } else {
            out.append(text, i, length);
            i += length - 1;
        }
    }
    out += cut ? "...\"" : "\"";
    return out;
}

std::string printable(std::string_view text) {
    std::string out(text);
    for (size_t i = 0; i < out.size(); ++i) {
        auto byte = static_cast<unsigned char>(out[i]);
        size_t length = utf8_sequence_length(out, i);
        if ((byte < 0x20 && out[i] != '\t') || byte == 0x7f || length == 0) {
            out[i] = '?';
        } else if (is_c1(out, i)) {
            out[i] = '?';
            out[i + 1] = '?';
            ++i;
        } else {
            i += length - 1;
        }
    }
    return out;
}

std::string lowercase(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

bool starts_with(std::string_view text, std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
}

size_t utf8_sequence_length(std::string_view text, size_t at) {
    auto byte = [&](size_t i) { return at + i < text.size() ? static_cast<unsigned char>(text[at + i]) : 0u; };
    const unsigned lead = byte(0);
    if (lead < 0x80) {
        return 1;
    }
    // The allowed range of the second byte excludes overlong forms, surrogates
    // (U+D800..U+DFFF) and code points above U+10FFFF.
    size_t length = 0;
    unsigned low = 0x80;
    unsigned high = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) {
        length = 2;
    } else if (lead >= 0xe0 && lead <= 0xef) {
        length = 3;
        low = lead == 0xe0 ? 0xa0 : 0x80;
        high = lead == 0xed ? 0x9f : 0xbf;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
        length = 4;
        low = lead == 0xf0 ? 0x90 : 0x80;
        high = lead == 0xf4 ? 0x8f : 0xbf;
    } else {
        return 0;
    }
    if (byte(1) < low || byte(1) > high) {
        return 0;
    }
    for (size_t i = 2; i < length; ++i) {
        if (byte(i) < 0x80 || byte(i) > 0xbf) {
            return 0;
        }
    }
    return length;
}

std::optional<size_t> invalid_utf8_offset(std::string_view text) {
    size_t at = 0;
    while (at < text.size()) {
        size_t length = utf8_sequence_length(text, at);
        if (length == 0) {
            return at;
        }
        at += length;
    }
    return std::nullopt;
}

std::vector<std::string> split_lines(const std::string& text) {
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < text.size()) {
        size_t end = std::min(text.find('\n', start), text.size());
        lines.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

namespace {

bool blank(const std::string& line) { return line.find_first_not_of(" \t\r") == std::string::npos; }

}  // namespace

std::string last_lines(const std::string& text, size_t count, const std::string& indent) {
    std::vector<std::string> lines;
    for (auto& line : split_lines(text)) {
        if (!blank(line)) {
            lines.push_back(std::move(line));
        }
    }
    std::string out;
    for (size_t i = lines.size() > count ? lines.size() - count : 0; i < lines.size(); ++i) {
        out += (out.empty() ? "" : "\n") + indent + lines[i];
    }
    return out;
}

std::string one_line(const std::string& text) {
    std::string out;
    for (const auto& line : split_lines(text)) {
        if (!blank(line)) {
            out += (out.empty() ? "" : "; ") + line;
        }
    }
    return out.empty() ? "no output" : out;
}

std::string comma_list(const std::vector<std::string>& items) {
    std::string text;
    for (const auto& item : items) {
        text += (text.empty() ? "" : ", ") + item;
    }
    return text;
}

}  // namespace calzion::util
