#include "util/shell.hpp"

#include <iterator>
#include <stdexcept>

namespace calzion::util {

namespace {

bool is_safe_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.' || c == '/' || c == ',' || c == ':' || c == '@' || c == '%' || c == '+' ||
           c == '=';
}

}  // namespace

std::string shell_quote(std::string_view word) {
    if (word.empty()) {
        return "''";
    }
    if (word.find('\0') != std::string_view::npos) {
        // No shell can receive one: the word would arrive cut short.
        throw std::invalid_argument("a shell word cannot contain a NUL byte");
    }
    bool safe = true;
    for (char c : word) {
        safe = safe && is_safe_char(c);
    }
    // '=' and '%' are plain inside a word but not at its start everywhere: zsh
    // expands "=cmd" to a path, and a command word "%1" resumes a job.
    safe = safe && word.front() != '=' && word.front() != '%';
    if (safe) {
        return std::string(word);
    }
    // Inside single quotes a POSIX shell takes everything literally but the single
    // quote itself, written as '\'' (close, escaped quote, reopen). A backslash is
    // written the same way, as '\\', so that no backslash is ever inside the quotes:
    // fish, a possible login shell on the remote side, reads \' and \\ there as escapes.
    std::string out = "'";
    for (char c : word) {
        if (c == '\'') {
            out += "'\\''";
        } else if (c == '\\') {
            out += "'\\\\'";
        } else {
            out += c;
        }
    }
    out += "'";
    return out;
}

std::string shell_join(const std::vector<std::string>& argv) {
    std::string out;
    for (const auto& word : argv) {
        if (!out.empty()) {
            out += ' ';
        }
        out += shell_quote(word);
    }
    return out;
}

std::vector<std::string> shell_split(std::string_view text) {
    std::vector<std::string> words;
    std::string current;
    bool in_word = false;
    size_t i = 0;
    while (i < text.size()) {
        char c = text[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            if (in_word) {
                words.push_back(std::move(current));
                current.clear();
                in_word = false;
            }
            ++i;
        } else if (c == '\'') {
            size_t end = text.find('\'', i + 1);
            if (end == std::string_view::npos) {
                throw std::invalid_argument("unterminated single quote");
            }
            current.append(text.substr(i + 1, end - i - 1));
            in_word = true;
            i = end + 1;
        } else if (c == '"') {
            in_word = true;
            ++i;
            bool closed = false;
            while (i < text.size()) {
                char d = text[i];
                if (d == '"') {
                    closed = true;
                    ++i;
                    break;
                }
                if (d == '\\' && i + 1 < text.size()) {
                    char next = text[i + 1];
                    if (next == '"' || next == '\\' || next == '$' || next == '`') {
                        current += next;
                        i += 2;
                        continue;
                    }
                    if (next == '\n') {
                        i += 2;
                        continue;
                    }
                }
                current += d;
                ++i;
            }
            if (!closed) {
                throw std::invalid_argument("unterminated double quote");
            }
        } else if (c == '\\') {
            if (i + 1 >= text.size()) {
                throw std::invalid_argument("trailing backslash");
            }
            if (text[i + 1] != '\n') {
                current += text[i + 1];
                in_word = true;
            }
            i += 2;
        } else {
            current += c;
            in_word = true;
            ++i;
        }
    }
    if (in_word) {
        words.push_back(std::move(current));
    }
    return words;
}

std::vector<std::string> script_argv(const std::string& script, std::vector<std::string> args) {
    std::vector<std::string> argv = {"sh", "-c", script, "calzion"};
    argv.insert(argv.end(), std::make_move_iterator(args.begin()), std::make_move_iterator(args.end()));
    return argv;
}

}  // namespace calzion::util
