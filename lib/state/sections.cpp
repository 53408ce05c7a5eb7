#include "state/sections.hpp"

#include <algorithm>
#include <sstream>

#include "state/scripts.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace calzion::state {

std::map<std::string, std::string> sections_of(const std::string& output, const std::string& marker) {
    std::map<std::string, std::string> sections;
    std::istringstream lines(output);
    std::string line;
    std::string current;
    while (std::getline(lines, line)) {
        if (line.rfind(marker, 0) == 0) {
            current = line.substr(marker.size());
            sections[current];
            continue;
        }
        if (!current.empty()) {
            sections[current] += line + "\n";
        }
    }
    return sections;
}

std::string trimmed(const std::string& text) {
    size_t end = text.find_last_not_of(" \r\n\t");
    return end == std::string::npos ? std::string() : text.substr(0, end + 1);
}

int number_in(const std::string& text) {
    std::string value = trimmed(text);
    if (value.empty() || value.size() > 9 || value.find_first_not_of("0123456789") != std::string::npos) {
        return -1;
    }
    return std::stoi(value);
}

int state_format_in(const std::string& text, const std::string& state_dir) {
    int format = std::max(0, number_in(text));
    if (format > k_state_format) {
        throw Error(ErrorKind::invalid_data, "the state in " + util::quoted(state_dir) + " has format " +
                                                 std::to_string(format) + ", newer than this calzion's (" +
                                                 std::to_string(k_state_format) + "): upgrade calzion");
    }
    return format;
}

}  // namespace calzion::state
