#include "ssh/config.hpp"

#include "util/error.hpp"
#include "util/shell.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <fnmatch.h>
#include <fstream>
#include <glob.h>
#include <sstream>

namespace calzion::ssh {

namespace {

constexpr int k_max_include_depth = 16;

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r';
}

// Split a config line into its keyword and arguments. The keyword ends at
// whitespace or "="; arguments are separated by whitespace and may be quoted.
std::vector<std::string> split_line(std::string_view line) {
    std::vector<std::string> words;
    size_t i = 0;
    while (i < line.size() && is_space(line[i])) {
        ++i;
    }
    size_t start = i;
    while (i < line.size() && !is_space(line[i]) && line[i] != '=') {
        ++i;
    }
    words.emplace_back(line.substr(start, i - start));
    while (i < line.size() && (is_space(line[i]) || (line[i] == '=' && words.size() == 1))) {
        ++i;
    }
    while (i < line.size()) {
        std::string word;
        if (line[i] == '"') {
            size_t close = line.find('"', i + 1);
            close = close == std::string_view::npos ? line.size() : close;
            word = std::string(line.substr(i + 1, close - i - 1));
            i = close + 1;
        } else {
            while (i < line.size() && !is_space(line[i])) {
                word += line[i++];
            }
        }
        words.push_back(std::move(word));
        while (i < line.size() && is_space(line[i])) {
            ++i;
        }
    }
    return words;
}

// Host pattern list semantics of ssh_config(5): some pattern matches and no
// negated one does.
bool patterns_match(const std::vector<std::string>& words, size_t first, std::string_view alias) {
    std::string host = util::lowercase(alias);
    bool matched = false;
    for (size_t i = first; i < words.size(); ++i) {
        bool negated = !words[i].empty() && words[i].front() == '!';
        std::string pattern = util::lowercase(negated ? words[i].substr(1) : words[i]);
        if (fnmatch(pattern.c_str(), host.c_str(), 0) == 0) {
            if (negated) {
                return false;
            }
            matched = true;
        }
    }
    return matched;
}

// A Match line applies when all its criteria do; only the ones that need no more
// than the alias are understood here.
bool match_applies(const std::vector<std::string>& words, std::string_view alias) {
    if (words.size() == 2 && util::lowercase(words[1]) == "all") {
        return true;
    }
    if (words.size() < 3 || words.size() % 2 == 0) {
        return false;
    }
    for (size_t i = 1; i + 1 < words.size(); i += 2) {
        std::string criterion = util::lowercase(words[i]);
        if (criterion != "host" && criterion != "originalhost") {
            return false;
        }
        std::vector<std::string> patterns{"", ""};
        std::stringstream list(words[i + 1]);
        for (std::string pattern; std::getline(list, pattern, ',');) {
            patterns.push_back(pattern);
        }
        if (!patterns_match(patterns, 2, alias)) {
            return false;
        }
    }
    return true;
}

void collect(std::string_view text, std::string_view alias, const IncludeLoader& include, int depth,
             ConfigValues& values) {
    bool active = true;
    std::stringstream lines{std::string(text)};
    for (std::string line; std::getline(lines, line);) {
        std::vector<std::string> words = split_line(line);
        std::string keyword = util::lowercase(words.front());
        if (keyword.empty() || keyword.front() == '#') {
            continue;
        }
        if (keyword == "host") {
            active = patterns_match(words, 1, alias);
        } else if (keyword == "match") {
            active = match_applies(words, alias);
        } else if (!active) {
            continue;
        } else if (keyword == "identityfile" && words.size() >= 2 && util::lowercase(words[1]) != "none") {
            values.identity_files.push_back(words[1]);
        } else if (keyword == "proxyjump" && words.size() >= 2 && values.proxy_jump.empty()) {
            values.proxy_jump = words[1];  // the first value wins, as with every ssh_config keyword
        } else if (keyword == "userknownhostsfile" && words.size() >= 2 && values.user_known_hosts.empty()) {
            values.user_known_hosts.assign(words.begin() + 1, words.end());
        } else if (keyword == "globalknownhostsfile" && words.size() >= 2 && values.global_known_hosts.empty()) {
            values.global_known_hosts.assign(words.begin() + 1, words.end());
        } else if (keyword == "stricthostkeychecking" && words.size() >= 2 && values.strict_host_key_checking.empty()) {
            values.strict_host_key_checking = util::lowercase(words[1]);
        } else if (keyword == "include" && depth < k_max_include_depth) {
            for (size_t i = 1; i < words.size(); ++i) {
                for (const std::string& included : include(words[i])) {
                    collect(included, alias, include, depth + 1, values);
                }
            }
        }
    }
}

bool read_text(const std::string& path, std::string& text) {
    std::ifstream file(path, std::ios::binary);
    if (!file) {
        return false;
    }
    std::ostringstream contents;
    contents << file.rdbuf();
    text = contents.str();
    return true;
}

}  // namespace

ConfigValues parse_config(std::string_view text, std::string_view alias, const IncludeLoader& include) {
    ConfigValues values;
    collect(text, alias, include, 0, values);
    return values;
}

ConfigValues read_config_file(const std::string& path, std::string_view alias, const std::string& include_dir,
                              const std::string& home) {
    std::string text;
    if (!read_text(path, text)) {
        return {};
    }
    IncludeLoader include = [&](const std::string& pattern) {
        std::string full = pattern;
        if (pattern.rfind("~/", 0) == 0) {
            full = home + pattern.substr(1);
        } else if (pattern.empty() || pattern.front() != '/') {
            full = include_dir + "/" + pattern;
        }
        std::vector<std::string> texts;
        glob_t found{};
        if (glob(full.c_str(), 0, nullptr, &found) == 0) {
            for (size_t i = 0; i < found.gl_pathc; ++i) {
                std::string included;
                if (read_text(found.gl_pathv[i], included)) {
                    texts.push_back(std::move(included));
                }
            }
        }
        globfree(&found);
        return texts;
    };
    return parse_config(text, alias, include);
}

JumpHost parse_jump_host(std::string_view text) {
    JumpHost result;
    if (text.substr(0, 6) == "ssh://") {
        text.remove_prefix(6);
    }
    if (size_t at = text.rfind('@'); at != std::string_view::npos) {
        result.user = std::string(text.substr(0, at));
        text.remove_prefix(at + 1);
    }
    std::string_view port;
    if (size_t close = text.find(']'); !text.empty() && text.front() == '[' && close != std::string_view::npos) {
        result.host = std::string(text.substr(1, close - 1));
        if (text.substr(close + 1, 1) == ":") {
            port = text.substr(close + 2);
        }
    } else if (std::count(text.begin(), text.end(), ':') == 1) {
        size_t colon = text.find(':');
        result.host = std::string(text.substr(0, colon));
        port = text.substr(colon + 1);
    } else {
        result.host = std::string(text);  // a host name, or a bare IPv6 address
    }
    result.port = std::string(port);
    return result;
}

std::string jump_command(std::string_view proxy_jump, const std::string& config_file) {
    size_t comma = proxy_jump.rfind(',');
    JumpHost last = parse_jump_host(comma == std::string_view::npos ? proxy_jump : proxy_jump.substr(comma + 1));
    std::vector<std::string> argv = {"ssh"};
    auto add = [&](const char* option, std::string value) {
        if (!value.empty()) {
            argv.insert(argv.end(), {option, std::move(value)});
        }
    };
    add("-l", last.user);
    add("-p", last.port);
    add("-J", comma == std::string_view::npos ? std::string() : std::string(proxy_jump.substr(0, comma)));
    add("-F", config_file);
    argv.push_back(last.host);
    // libssh expands %-tokens in the whole command and knows no escape for "%".
    for (const std::string& word : argv) {
        if (word.find('%') != std::string::npos) {
            throw Error(ErrorKind::usage, "cannot use ProxyJump " + util::quoted(proxy_jump) + ": " +
                                              util::quoted(word) + " contains \"%\"");
        }
    }
    std::string host = util::shell_quote(argv.back());
    argv.pop_back();
    return util::shell_join(argv) + " -W '[%h]:%p' " + host;
}

std::string expand_path(std::string_view path, const PathTokens& tokens) {
    std::string out;
    if (path.substr(0, 2) == "~/") {
        out = tokens.home;
        path.remove_prefix(1);
    }
    for (size_t i = 0; i < path.size(); ++i) {
        if (path[i] != '%' || i + 1 == path.size()) {
            out += path[i];
            continue;
        }
        char token = path[++i];
        switch (token) {
        case 'd': out += tokens.home; break;
        case 'u': out += tokens.local_user; break;
        case 'l': out += tokens.local_host; break;
        case 'h': out += tokens.remote_host; break;
        case 'r': out += tokens.remote_user; break;
        case 'p': out += tokens.port; break;
        case 'i': out += tokens.uid; break;
        case '%': out += '%'; break;
        default:
            out += '%';
            out += token;
        }
    }
    return out;
}

}  // namespace calzion::ssh
