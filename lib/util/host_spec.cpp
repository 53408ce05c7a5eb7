#include "util/host_spec.hpp"

#include "util/error.hpp"
#include "util/strings.hpp"

#include <algorithm>

namespace calzion::util {

namespace {

bool is_name_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
           c == '_';
}

[[noreturn]] void fail(std::string_view spec, const std::string& problem) {
    throw Error(ErrorKind::usage, "invalid host " + util::quoted(spec) + ": " + problem);
}

// Check a host or user name; `what` names it in messages ("host name", "user name").
void validate_name(std::string_view spec, std::string_view name, std::string_view what, bool ipv6) {
    if (name.empty()) {
        fail(spec, "the " + std::string(what) + " is empty");
    }
    if (name.front() == '-') {
        fail(spec, "a " + std::string(what) + " must not start with \"-\"");
    }
    for (char c : name) {
        if (!is_name_char(c) && !(ipv6 && (c == ':' || c == '%'))) {
            fail(spec, "unexpected character " + util::quoted(std::string_view(&c, 1)) + " in the " +
                           std::string(what));
        }
    }
}

int parse_port(std::string_view spec, std::string_view text) {
    bool digits = !text.empty() && text.size() <= 5 &&
                  std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
    int port = digits ? std::stoi(std::string(text)) : 0;
    if (port < 1 || port > 65535) {
        throw Error(ErrorKind::usage, "invalid port " + util::quoted(text) + " in host " + util::quoted(spec) +
                                          ": expected a number from 1 to 65535");
    }
    return port;
}

}  // namespace

HostSpec parse_host_spec(std::string_view spec) {
    HostSpec result;
    std::string_view rest = spec;
    size_t at = rest.rfind('@');
    if (at != std::string_view::npos) {
        validate_name(spec, rest.substr(0, at), "user name", false);
        result.user = std::string(rest.substr(0, at));
        rest.remove_prefix(at + 1);
    }
    std::string_view host = rest;
    std::optional<std::string_view> port;
    bool ipv6 = false;
    if (!rest.empty() && rest.front() == '[') {
        size_t close = rest.find(']');
        if (close == std::string_view::npos) {
            fail(spec, "missing \"]\"");
        }
        host = rest.substr(1, close - 1);
        std::string_view after = rest.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') {
                fail(spec, "expected \":PORT\" after \"]\"");
            }
            port = after.substr(1);
        }
        ipv6 = true;
    } else if (std::count(rest.begin(), rest.end(), ':') == 1) {
        size_t colon = rest.find(':');
        host = rest.substr(0, colon);
        port = rest.substr(colon + 1);
    } else {
        ipv6 = rest.find(':') != std::string_view::npos;  // a bare IPv6 address, no port
    }
    validate_name(spec, host, "host name", ipv6);
    result.host = std::string(host);
    if (port) {
        result.port = parse_port(spec, *port);
    }
    return result;
}

}  // namespace calzion::util
