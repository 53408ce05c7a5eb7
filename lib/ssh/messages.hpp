#pragma once

#include <cstring>
#include <string>

namespace calzion::ssh {

// Lowercase the first letter of a libssh or system message, so that it reads as
// the tail of a calzion message ("connection refused").
inline std::string lowercase_first(std::string text) {
    if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z') {
        text[0] = static_cast<char>(text[0] - 'A' + 'a');
    }
    return text;
}

// The system's reason for `error` (an errno value), lowercased.
inline std::string system_reason(int error) {
    return lowercase_first(std::strerror(error));
}

}  // namespace calzion::ssh
