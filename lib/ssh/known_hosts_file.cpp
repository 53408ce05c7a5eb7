#include "ssh/known_hosts_file.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <optional>

#include "util/strings.hpp"

namespace calzion::ssh {

namespace {

// Decode standard base64 with its "=" padding; nothing else is allowed.
std::optional<std::string> base64_decode(std::string_view text) {
    if (text.empty() || text.size() % 4 != 0) {
        return std::nullopt;
    }
    std::string out(text.size() / 4 * 3, '\0');
    int size = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                               reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
    if (size < 0) {
        return std::nullopt;
    }
    size_t padding = text.ends_with("==") ? 2 : text.ends_with('=') ? 1 : 0;
    out.resize(static_cast<size_t>(size) - padding);
    return out;
}

// The key type a key blob names in its first field (a uint32 length, then the name).
std::string blob_type(const std::string& blob) {
    if (blob.size() < 4) {
        return {};
    }
    size_t length = 0;
    for (int i = 0; i < 4; ++i) {
        length = (length << 8) | static_cast<unsigned char>(blob[i]);
    }
    return length <= blob.size() - 4 ? blob.substr(4, length) : std::string();
}

// "*" any run of characters, "?" any one character, everything else itself.
bool wildcard_match(std::string_view pattern, std::string_view text) {
    size_t p = 0;
    size_t t = 0;
    size_t star = std::string_view::npos;
    size_t resume = 0;
    while (t < text.size()) {
        if (p < pattern.size() && (pattern[p] == '?' || pattern[p] == text[t])) {
            ++p;
            ++t;
        } else if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            resume = t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++resume;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*') {
        ++p;
    }
    return p == pattern.size();
}

// "|1|salt|hash": the HMAC-SHA1 of the name, keyed with the salt, both base64.
bool hashed_matches(std::string_view field, std::string_view name) {
    field.remove_prefix(3);
    size_t bar = field.find('|');
    if (bar == std::string_view::npos) {
        return false;
    }
    std::optional<std::string> salt = base64_decode(field.substr(0, bar));
    std::optional<std::string> hash = base64_decode(field.substr(bar + 1));
    if (!salt || !hash || hash->size() != 20) {
        return false;
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    if (HMAC(EVP_sha1(), salt->data(), static_cast<int>(salt->size()),
             reinterpret_cast<const unsigned char*>(name.data()), name.size(), digest, &size) == nullptr) {
        return false;
    }
    return std::string(reinterpret_cast<const char*>(digest), size) == *hash;
}

std::vector<std::string_view> split_words(std::string_view line) {
    std::vector<std::string_view> words;
    size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) {
            ++i;
        }
        size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t') {
            ++i;
        }
        if (i > start) {
            words.push_back(line.substr(start, i - start));
        }
    }
    return words;
}

enum class Marker { none, revoked, cert_authority };

// One readable line: its marker, host field and key blob.
struct Entry {
    Marker marker = Marker::none;
    std::string_view hosts;
    std::string type;
    std::string blob;
};

// Read one non-blank, non-comment line; a reason on failure.
std::optional<Entry> parse_line(std::string_view line, std::string& reason) {
    std::vector<std::string_view> words = split_words(line);
    Entry entry;
    size_t first = 0;
    if (words.front().front() == '@') {
        if (words.front() == "@revoked") {
            entry.marker = Marker::revoked;
        } else if (words.front() == "@cert-authority") {
            entry.marker = Marker::cert_authority;
        } else {
            reason = "unknown marker \"" + std::string(words.front()) + "\"";
            return std::nullopt;
        }
        first = 1;
    }
    if (words.size() < first + 3) {
        reason = "expected host patterns, a key type and a key";
        return std::nullopt;
    }
    entry.hosts = words[first];
    entry.type = std::string(words[first + 1]);
    std::optional<std::string> blob = base64_decode(words[first + 2]);
    if (!blob) {
        reason = "the key is not base64";
        return std::nullopt;
    }
    if (blob_type(*blob) != entry.type) {
        reason = "the key is not of type \"" + entry.type + "\"";
        return std::nullopt;
    }
    entry.blob = std::move(*blob);
    return entry;
}

}  // namespace

std::string known_hosts_name(std::string_view hostname, int port) {
    std::string host = util::lowercase(hostname);
    return port == 22 ? host : "[" + host + "]:" + std::to_string(port);
}

bool host_field_matches(std::string_view field, std::string_view name) {
    if (field.substr(0, 3) == "|1|") {
        return hashed_matches(field, name);
    }
    std::string host = util::lowercase(name);
    bool matched = false;
    while (!field.empty()) {
        size_t comma = field.find(',');
        std::string pattern = util::lowercase(field.substr(0, comma));
        field = comma == std::string_view::npos ? std::string_view() : field.substr(comma + 1);
        bool negated = !pattern.empty() && pattern.front() == '!';
        if (negated) {
            pattern.erase(0, 1);
        }
        if (pattern.empty() || !wildcard_match(pattern, host)) {
            continue;
        }
        if (negated) {
            return false;
        }
        matched = true;
    }
    return matched;
}

HostKeyVerdict check_known_hosts(const std::vector<KnownHostsText>& files, std::string_view name,
                                 const PublicKey& key) {
    std::optional<std::string> offered = base64_decode(key.base64);
    std::string offered_type = offered ? blob_type(*offered) : key.type;
    HostKeyVerdict revoked;
    HostKeyVerdict known;
    HostKeyVerdict changed;
    HostKeyVerdict other;
    std::vector<std::string> skipped;
    auto note = [](HostKeyVerdict& verdict, HostKeyStatus status, const std::string& file, int line) {
        if (verdict.status == HostKeyStatus::unknown) {
            verdict = {status, file, line, {}};
        }
    };
    for (const KnownHostsText& file : files) {
        std::string_view text = file.text;
        for (int number = 1; !text.empty(); ++number) {
            size_t newline = text.find('\n');
            std::string_view line = text.substr(0, newline);
            text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
            if (!line.empty() && line.back() == '\r') {
                line.remove_suffix(1);
            }
            std::vector<std::string_view> words = split_words(line);
            if (words.empty() || words.front().front() == '#') {
                continue;
            }
            std::string reason;
            std::optional<Entry> entry = parse_line(line, reason);
            if (!entry) {
                skipped.push_back(file.path + ":" + std::to_string(number) + ": " + reason);
                continue;
            }
            if (entry->marker == Marker::cert_authority || !host_field_matches(entry->hosts, name)) {
                continue;
            }
            bool same_key = offered && entry->blob == *offered;
            if (entry->marker == Marker::revoked) {
                if (same_key) {
                    note(revoked, HostKeyStatus::revoked, file.path, number);
                }
            } else if (same_key) {
                note(known, HostKeyStatus::known, file.path, number);
            } else if (entry->type == offered_type) {
                note(changed, HostKeyStatus::changed, file.path, number);
            } else {
                note(other, HostKeyStatus::other_type, file.path, number);
            }
        }
    }
    HostKeyVerdict verdict = revoked.status != HostKeyStatus::unknown   ? revoked
                             : known.status != HostKeyStatus::unknown   ? known
                             : changed.status != HostKeyStatus::unknown ? changed
                                                                        : other;
    verdict.skipped = std::move(skipped);
    return verdict;
}

}  // namespace calzion::ssh
