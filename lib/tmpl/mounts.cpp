#include "tmpl/mounts.hpp"

#include <algorithm>
#include <vector>

namespace calzion::tmpl {

namespace {

std::vector<std::string> split_colons(std::string_view text) {
    std::vector<std::string> parts;
    size_t start = 0;
    while (true) {
        size_t end = text.find(':', start);
        parts.emplace_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos) {
            return parts;
        }
        start = end + 1;
    }
}

bool is_volume_name(std::string_view name) {
    if (name.empty() || name.size() > 64 || !std::isalnum(static_cast<unsigned char>(name.front()))) {
        return false;
    }
    return std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
    });
}

bool is_clean_absolute_path(std::string_view path) {
    if (path.empty() || path.front() != '/' || path.find('\0') != std::string_view::npos) {
        return false;
    }
    // No "." or ".." components: the path must say exactly where it points.
    size_t start = 1;
    while (start <= path.size()) {
        size_t end = path.find('/', start);
        std::string_view part = path.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
        if (part == "." || part == "..") {
            return false;
        }
        if (end == std::string_view::npos) {
            break;
        }
        start = end + 1;
    }
    return true;
}

std::optional<int> port_number(const std::string& text) {
    if (text.empty() || text.size() > 5 ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    int value = std::stoi(text);
    if (value < 1 || value > 65535) {
        return std::nullopt;
    }
    return value;
}

// Four numbers from 0 to 255, separated by dots.
bool is_ipv4_address(const std::string& text) {
    size_t start = 0;
    for (int part = 0; part < 4; ++part) {
        size_t end = part < 3 ? text.find('.', start) : text.size();
        if (end == std::string::npos) {
            return false;
        }
        std::string number = text.substr(start, end - start);
        if (number.empty() || number.size() > 3 || number.find_first_not_of("0123456789") != std::string::npos ||
            std::stoi(number) > 255) {
            return false;
        }
        start = end + 1;
    }
    return true;
}

}  // namespace

std::optional<Volume> parse_volume(std::string_view text, std::string& problem) {
    auto parts = split_colons(text);
    Volume volume;
    if (parts.size() > 1 && (parts.back() == "ro" || parts.back() == "rw")) {
        volume.read_only = parts.back() == "ro";
        parts.pop_back();
    }
    if (parts.size() == 1) {
        volume.kind = Volume::Kind::instance;
        volume.target = parts[0];
    } else if (parts.size() == 2) {
        if (parts[0].empty()) {
            problem = "the part before \":\" is empty";
            return std::nullopt;
        }
        volume.kind = parts[0].front() == '/' ? Volume::Kind::bind : Volume::Kind::named;
        volume.source = parts[0];
        volume.target = parts[1];
    } else {
        problem = "a volume reads /path, name:/path or /host/path:/path, each optionally followed by :ro";
        return std::nullopt;
    }
    if (!is_clean_absolute_path(volume.target) || volume.target == "/") {
        problem = "the path in the container must be absolute, without \".\" or \"..\", and not \"/\"";
        return std::nullopt;
    }
    if (volume.kind == Volume::Kind::bind && !is_clean_absolute_path(volume.source)) {
        problem = "the host path must be absolute, without \".\" or \"..\"";
        return std::nullopt;
    }
    if (volume.kind == Volume::Kind::named && !is_volume_name(volume.source)) {
        problem = "a volume name has letters, digits, \"_\", \".\" and \"-\" (a host path starts with \"/\")";
        return std::nullopt;
    }
    return volume;
}

std::optional<Port> parse_port(std::string_view text, std::string& problem) {
    Port port;
    std::string spec(text);
    if (size_t slash = spec.find('/'); slash != std::string::npos) {
        port.protocol = spec.substr(slash + 1);
        spec.resize(slash);
        if (port.protocol != "tcp" && port.protocol != "udp" && port.protocol != "sctp") {
            problem = "the protocol after \"/\" is tcp, udp or sctp";
            return std::nullopt;
        }
    }
    auto parts = split_colons(spec);
    if (parts.size() > 3) {
        problem = "a port reads container, host:container or ip:host:container";
        return std::nullopt;
    }
    auto container = port_number(parts.back());
    if (!container) {
        problem = "ports are numbers from 1 to 65535";
        return std::nullopt;
    }
    port.container_port = *container;
    // "ip::container" lets docker choose the host port on that address.
    if (parts.size() == 2 || (parts.size() == 3 && !parts[1].empty())) {
        auto host = port_number(parts[parts.size() - 2]);
        if (!host) {
            problem = "ports are numbers from 1 to 65535";
            return std::nullopt;
        }
        port.host_port = *host;
    }
    if (parts.size() == 3) {
        port.host_ip = parts[0];
        if (!is_ipv4_address(port.host_ip)) {
            problem = "the address before the host port must be an IPv4 address";
            return std::nullopt;
        }
    }
    return port;
}

std::string to_publish_argument(const Port& port) {
    std::string out;
    if (!port.host_ip.empty()) {
        out += port.host_ip + ":";
    }
    if (port.host_port != 0) {
        out += std::to_string(port.host_port) + ":";
    } else if (!port.host_ip.empty()) {
        out += ":";
    }
    out += std::to_string(port.container_port) + "/" + port.protocol;
    return out;
}

}  // namespace calzion::tmpl
