#include "util/shell.hpp"

#include <doctest/doctest.h>

#include <cstdio>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

using calzion::util::shell_join;
using calzion::util::shell_quote;
using calzion::util::shell_split;

namespace {

// Words that would do harm if a shell interpreted any part of them.
std::vector<std::string> hostile_words() {
    return {
        "$(rm -rf /)",
        "`reboot`",
        "'; reboot",
        "\"; reboot; \"",
        "it's",
        "''",
        "'",
        "\"",
        R"(say "hi" and 'bye')",
        "line one\nline two",
        "\n",
        "tab\there",
        "trailing space ",
        " ",
        "*",
        "*.txt",
        "?",
        "[a-z]",
        "{a,b}",
        "~",
        "~root/x",
        "a=~/x",
        "-rf",
        "--name=evil",
        "-",
        "--",
        "",
        "caf\xc3\xa9",
        "\xf0\x9f\x98\x80 emoji",
        "\xff\xfe invalid utf-8",
        "$HOME",
        "${HOME:-x}",
        "$$",
        "$",
        "a;b",
        "a&&b",
        "a|b",
        "a>b",
        "<a",
        "a#b",
        "#comment",
        "!",
        "!!",
        "\\",
        "\\\\",
        "a\\'b",
        "end\\",
        "'\\''",
        "=cmd",
        "%1",
        "x=y",
        "\x01\x02\x1b[31m\x7f",
        "\r\n",
        "(subshell)",
        "a b c",
    };
}

// Random words over an alphabet of the characters shells care about (fixed seed).
std::vector<std::string> random_words(size_t count) {
    const std::string alphabet = std::string("abz09 \t\n'\"\\$`!*?[]{}~#;&|<>()=%-,:@+^/.") + "\xc3\xa9\xff";
    std::mt19937 random(20240611);
    std::uniform_int_distribution<size_t> length(0, 24);
    std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
    std::vector<std::string> words;
    for (size_t i = 0; i < count; ++i) {
        std::string word;
        for (size_t n = length(random); n > 0; --n) {
            word += alphabet[pick(random)];
        }
        words.push_back(word);
    }
    return words;
}

// Run `printf "%s\0" <joined>` through the real /bin/sh: the words it receives.
std::vector<std::string> through_sh(const std::string& joined) {
    std::string command = "/bin/sh -c 'printf \"%s\\0\" \"$@\"' sh " + joined;
    FILE* pipe = ::popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::string output;
    char buffer[4096];
    size_t got = 0;
    while ((got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) {
        output.append(buffer, got);
    }
    CHECK(::pclose(pipe) == 0);
    std::vector<std::string> words;
    size_t start = 0;
    for (size_t end = output.find('\0'); end != std::string::npos; end = output.find('\0', start)) {
        words.push_back(output.substr(start, end - start));
        start = end + 1;
    }
    CHECK(start == output.size());
    return words;
}

}  // namespace

TEST_CASE("util::shell") {
    SUBCASE("shell_quote leaves plain words alone") {
        CHECK(shell_quote("web") == "web");
        CHECK(shell_quote("nginx:1.25") == "nginx:1.25");
        CHECK(shell_quote("/var/lib/calzion") == "/var/lib/calzion");
        CHECK(shell_quote("A=b,c@d+e%f") == "A=b,c@d+e%f");
        CHECK(shell_quote("-rf") == "-rf");
        CHECK(shell_quote("--name=x") == "--name=x");
        CHECK(shell_quote("-") == "-");
    }

    SUBCASE("shell_quote single-quotes everything a shell could interpret") {
        CHECK(shell_quote("") == "''");
        CHECK(shell_quote("a b") == "'a b'");
        CHECK(shell_quote("$(rm -rf /)") == "'$(rm -rf /)'");
        CHECK(shell_quote("`reboot`") == "'`reboot`'");
        CHECK(shell_quote("$HOME") == "'$HOME'");
        CHECK(shell_quote(R"(say "hi")") == R"('say "hi"')");
        CHECK(shell_quote("a\nb") == "'a\nb'");
        CHECK(shell_quote("a\tb") == "'a\tb'");
        CHECK(shell_quote("*") == "'*'");
        CHECK(shell_quote("?") == "'?'");
        CHECK(shell_quote("[a]") == "'[a]'");
        CHECK(shell_quote("{a,b}") == "'{a,b}'");
        CHECK(shell_quote("~") == "'~'");
        CHECK(shell_quote("~/x") == "'~/x'");
        CHECK(shell_quote("#x") == "'#x'");
        CHECK(shell_quote("a;b") == "'a;b'");
        CHECK(shell_quote("caf\xc3\xa9") == "'caf\xc3\xa9'");
    }

    SUBCASE("shell_quote writes a single quote as '\\''") {
        CHECK(shell_quote("'") == R"(''\''')");
        CHECK(shell_quote("it's") == R"('it'\''s')");
        CHECK(shell_quote("'; reboot") == R"(''\''; reboot')");
    }

    SUBCASE("shell_quote keeps backslashes out of the quotes (fish reads them there)") {
        CHECK(shell_quote("\\") == R"(''\\'')");
        CHECK(shell_quote("a\\b") == R"('a'\\'b')");
        CHECK(shell_quote("a\\'b") == R"('a'\\''\''b')");
    }

    SUBCASE("shell_quote quotes a leading = (zsh) or % (job control)") {
        CHECK(shell_quote("=cmd") == "'=cmd'");
        CHECK(shell_quote("%1") == "'%1'");
        CHECK(shell_quote("a=b") == "a=b");
        CHECK(shell_quote("50%") == "50%");
    }

    SUBCASE("shell_quote refuses a NUL byte") {
        CHECK_THROWS_WITH_AS(shell_quote(std::string("a\0b", 3)), "a shell word cannot contain a NUL byte",
                             std::invalid_argument);
        CHECK_THROWS_AS(shell_join({"ok", std::string(1, '\0')}), std::invalid_argument);
    }

    SUBCASE("shell_join quotes each word and separates them with one space") {
        CHECK(shell_join({}) == "");
        CHECK(shell_join({""}) == "''");
        CHECK(shell_join({"", ""}) == "'' ''");
        CHECK(shell_join({"docker", "run", "--env", "A=$(id)", "nginx"}) == "docker run --env 'A=$(id)' nginx");
        CHECK(shell_join({"sh", "-c", "echo 'hi'; exit 1"}) == R"(sh -c 'echo '\''hi'\''; exit 1')");
    }

    SUBCASE("a real /bin/sh gets back exactly the hostile words") {
        const auto words = hostile_words();
        CHECK(through_sh(shell_join(words)) == words);
    }

    SUBCASE("a real /bin/sh gets back exactly 300 random words") {
        const auto words = random_words(300);
        CHECK(through_sh(shell_join(words)) == words);
    }

    SUBCASE("a real /bin/sh gets back every byte but NUL, alone and all together") {
        std::vector<std::string> words;
        std::string all;
        for (int byte = 1; byte < 256; ++byte) {
            words.emplace_back(1, static_cast<char>(byte));
            all += static_cast<char>(byte);
        }
        words.push_back(all);
        CHECK(through_sh(shell_join(words)) == words);
    }

    SUBCASE("shell_split separates words on blanks") {
        using Words = std::vector<std::string>;
        CHECK(shell_split("") == Words{});
        CHECK(shell_split(" \t\n ") == Words{});
        CHECK(shell_split("rethinkdb --bind all") == Words{"rethinkdb", "--bind", "all"});
        CHECK(shell_split("  a \t b\nc\r\nd  ") == Words{"a", "b", "c", "d"});
    }

    SUBCASE("shell_split honours quotes and backslashes, and expands nothing") {
        using Words = std::vector<std::string>;
        CHECK(shell_split("'a b' c") == Words{"a b", "c"});
        CHECK(shell_split(R"("a \"b\" $x `y` \\ \z")") == Words{R"(a "b" $x `y` \ \z)"});
        CHECK(shell_split(R"(a\ b)") == Words{"a b"});
        CHECK(shell_split(R"('it'\''s')") == Words{"it's"});
        CHECK(shell_split(R"('a\b')") == Words{R"(a\b)"});
        CHECK(shell_split("a''b") == Words{"ab"});
        CHECK(shell_split("''") == Words{""});
        CHECK(shell_split(R"("")") == Words{""});
        CHECK(shell_split("'' x \"\"") == Words{"", "x", ""});
        CHECK(shell_split("pre'mid'\"dle\"post") == Words{"premiddlepost"});
        CHECK(shell_split("a\\\nb") == Words{"ab"});
        CHECK(shell_split("\"a\\\nb\"") == Words{"ab"});
        CHECK(shell_split("'a\nb'") == Words{"a\nb"});
        CHECK(shell_split("echo $HOME; rm -rf / && x | y > z # c") ==
              Words{"echo", "$HOME;", "rm", "-rf", "/", "&&", "x", "|", "y", ">", "z", "#", "c"});
        CHECK(shell_split("$(rm -rf /)") == Words{"$(rm", "-rf", "/)"});
    }

    SUBCASE("shell_split errors") {
        CHECK_THROWS_WITH_AS(shell_split("'abc"), "unterminated single quote", std::invalid_argument);
        CHECK_THROWS_WITH_AS(shell_split("a 'b c"), "unterminated single quote", std::invalid_argument);
        CHECK_THROWS_WITH_AS(shell_split("\"abc"), "unterminated double quote", std::invalid_argument);
        CHECK_THROWS_WITH_AS(shell_split(R"("abc\")"), "unterminated double quote", std::invalid_argument);
        CHECK_THROWS_WITH_AS(shell_split("abc\\"), "trailing backslash", std::invalid_argument);
    }

    SUBCASE("shell_split reads back what shell_join wrote") {
        for (const auto& words : {hostile_words(), random_words(300)}) {
            CHECK(shell_split(shell_join(words)) == words);
        }
    }
}
