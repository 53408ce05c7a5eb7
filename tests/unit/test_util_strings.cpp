#include "util/strings.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using calzion::util::did_you_mean;
using calzion::util::edit_distance;
using calzion::util::invalid_utf8_offset;
using calzion::util::printable;
using calzion::util::quoted;
using calzion::util::starts_with;

TEST_CASE("util::strings") {
    SUBCASE("edit_distance counts insertions, deletions and substitutions") {
        CHECK(edit_distance("", "") == 0);
        CHECK(edit_distance("image", "image") == 0);
        CHECK(edit_distance("abc", "") == 3);
        CHECK(edit_distance("", "abc") == 3);
        CHECK(edit_distance("a", "b") == 1);
        CHECK(edit_distance("kitten", "sitting") == 3);
        CHECK(edit_distance("volume", "volumes") == 1);
        CHECK(edit_distance("volumes", "volume") == 1);
        CHECK(edit_distance("depends", "depends_on") == 3);
    }

    SUBCASE("edit_distance counts a swap of neighbours as one edit") {
        CHECK(edit_distance("imgae", "image") == 1);
        CHECK(edit_distance("ab", "ba") == 1);
        CHECK(edit_distance("cmd", "cdm") == 1);
        // Two separate swaps are two edits.
        CHECK(edit_distance("abcd", "badc") == 2);
    }

    SUBCASE("edit_distance is symmetric") {
        const std::vector<std::string> words = {"", "a", "image", "imgae", "entrypoint", "entry", "labels", "lables"};
        for (const auto& a : words) {
            for (const auto& b : words) {
                CHECK_MESSAGE(edit_distance(a, b) == edit_distance(b, a), a << " / " << b);
            }
        }
    }

    SUBCASE("did_you_mean picks the closest candidate within a third of the word") {
        const std::vector<std::string> keys = {"image", "git", "build", "cmd", "entrypoint", "env", "volumes",
                                               "ports", "labels", "depends_on", "healthcheck"};
        CHECK(did_you_mean("imgae", keys) == "image");
        CHECK(did_you_mean("volume", keys) == "volumes");
        CHECK(did_you_mean("lables", keys) == "labels");
        CHECK(did_you_mean("depend_on", keys) == "depends_on");
        CHECK(did_you_mean("helthcheck", keys) == "healthcheck");
        CHECK(did_you_mean("cdm", keys) == "cmd");
        CHECK(did_you_mean("nonsense", keys) == "");
        CHECK(did_you_mean("", keys) == "");
        CHECK(did_you_mean("image", {}) == "");
    }

    SUBCASE("did_you_mean: the limit is max(1, length / 3) edits") {
        // 6 letters: at most 2 edits.
        CHECK(did_you_mean("abcdef", {"abcdxy"}) == "abcdxy");
        CHECK(did_you_mean("abcdef", {"abcxyz"}) == "");
        // Short words still allow one edit, never two.
        CHECK(did_you_mean("ab", {"ax"}) == "ax");
        CHECK(did_you_mean("ab", {"xy"}) == "");
        CHECK(did_you_mean("a", {"b"}) == "b");
    }

    SUBCASE("did_you_mean: the first of equally close candidates wins") {
        CHECK(did_you_mean("bat", {"cat", "hat"}) == "cat");
        CHECK(did_you_mean("bat", {"hat", "cat"}) == "hat");
        CHECK(did_you_mean("bat", {"hat", "bat"}) == "bat");
    }

    SUBCASE("quoted wraps in double quotes and escapes what would confuse a reader") {
        CHECK(quoted("web") == R"("web")");
        CHECK(quoted("") == R"("")");
        CHECK(quoted(R"(say "hi")") == R"("say \"hi\"")");
        CHECK(quoted(R"(C:\dir)") == R"("C:\\dir")");
        CHECK(quoted("a\nb") == R"("a\nb")");
        CHECK(quoted("a\tb") == R"("a\tb")");
        CHECK(quoted(std::string("a\0b", 3)) == R"("a\x00b")");
        CHECK(quoted("\x01\x1f\x7f") == R"("\x01\x1f\x7f")");
        CHECK(quoted("\r") == R"("\x0d")");
        // UTF-8 passes through unchanged.
        CHECK(quoted("caf\xc3\xa9 \xf0\x9f\x98\x80") == "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"");
        CHECK(quoted("$(rm -rf /)") == R"x("$(rm -rf /)")x");
    }

    SUBCASE("quoted lets nothing through that could steer a terminal") {
        CHECK(quoted("\x1b]0;owned\x07") == R"("\x1b]0;owned\x07")");
        CHECK(quoted("\xc2\x9b" "31m") == R"("\xc2\x9b31m")");     // C1 CSI
        CHECK(quoted("\xc2\x85") == R"("\xc2\x85")");              // C1 NEL
        CHECK(quoted("\xc2\xa0") == "\"\xc2\xa0\"");              // NBSP is text
        CHECK(quoted("a\xff" "b\xc3") == R"("a\xffb\xc3")");        // not UTF-8
    }

    SUBCASE("printable replaces control characters and bad bytes, byte for byte") {
        CHECK(printable("plain\ttab") == "plain\ttab");
        CHECK(printable("caf\xc3\xa9 \xf0\x9f\x98\x80") == "caf\xc3\xa9 \xf0\x9f\x98\x80");
        CHECK(printable("a\x1b[31mb\x07\x7f") == "a?[31mb??");
        CHECK(printable("\xc2\x9b" "31m") == "??31m");
        CHECK(printable("x\xff\xfey") == "x??y");
        CHECK(printable(std::string("n\0l\r", 4)) == "n?l?");
        CHECK(printable("\xe2\x82") == "??");
        CHECK(printable("") == "");
    }

    SUBCASE("quoted cuts what is longer than 200 bytes, never inside a UTF-8 sequence") {
        CHECK(quoted(std::string(200, 'a')) == "\"" + std::string(200, 'a') + "\"");
        CHECK(quoted(std::string(201, 'a')) == "\"" + std::string(200, 'a') + "...\"");
        CHECK(quoted(std::string(1'000'000, 'a')).size() == 205);
        // "é" is two bytes: the 100th one would end at byte 200, the 101st would not fit.
        std::string accents;
        for (int i = 0; i < 150; ++i) {
            accents += "\xc3\xa9";
        }
        std::string expected;
        for (int i = 0; i < 100; ++i) {
            expected += "\xc3\xa9";
        }
        CHECK(quoted(accents) == "\"" + expected + "...\"");
        CHECK(quoted("x" + accents) == "\"x" + expected.substr(0, 198) + "...\"");
    }

    SUBCASE("starts_with") {
        CHECK(starts_with("io.calzion.instance", "io.calzion."));
        CHECK(starts_with("abc", ""));
        CHECK(starts_with("abc", "abc"));
        CHECK_FALSE(starts_with("ab", "abc"));
        CHECK_FALSE(starts_with("xabc", "abc"));
        CHECK_FALSE(starts_with("", "a"));
    }

    SUBCASE("invalid_utf8_offset finds the first byte that is not UTF-8") {
        CHECK_FALSE(invalid_utf8_offset("").has_value());
        CHECK_FALSE(invalid_utf8_offset("plain ascii\n\t").has_value());
        CHECK_FALSE(invalid_utf8_offset("caf\xc3\xa9").has_value());             // é
        CHECK_FALSE(invalid_utf8_offset("\xe2\x82\xac").has_value());             // €
        CHECK_FALSE(invalid_utf8_offset("\xf0\x9f\x98\x80").has_value());         // 😀
        CHECK_FALSE(invalid_utf8_offset("\xf4\x8f\xbf\xbf").has_value());         // U+10FFFF
        CHECK_FALSE(invalid_utf8_offset("\xed\x9f\xbf").has_value());             // U+D7FF
        CHECK_FALSE(invalid_utf8_offset(std::string("a\0b", 3)).has_value());     // NUL is UTF-8
        CHECK(invalid_utf8_offset("ab\xff") == std::optional<size_t>(2));
        CHECK(invalid_utf8_offset("\x80") == std::optional<size_t>(0));          // lone continuation
        CHECK(invalid_utf8_offset("a\xc3") == std::optional<size_t>(1));         // cut short
        CHECK(invalid_utf8_offset("a\xc3(") == std::optional<size_t>(1));        // bad continuation
        CHECK(invalid_utf8_offset("\xc0\x80") == std::optional<size_t>(0));      // overlong NUL
        CHECK(invalid_utf8_offset("\xc1\xbf") == std::optional<size_t>(0));      // overlong
        CHECK(invalid_utf8_offset("\xe0\x80\x80") == std::optional<size_t>(0));  // overlong
        CHECK(invalid_utf8_offset("\xf0\x80\x80\x80") == std::optional<size_t>(0));
        CHECK(invalid_utf8_offset("ok\xed\xa0\x80") == std::optional<size_t>(2));  // surrogate U+D800
        CHECK(invalid_utf8_offset("\xf4\x90\x80\x80") == std::optional<size_t>(0));  // above U+10FFFF
        CHECK(invalid_utf8_offset("\xf5\x80\x80\x80") == std::optional<size_t>(0));
        CHECK(invalid_utf8_offset("\xe2\x82\xac\xe2\x82") == std::optional<size_t>(3));
    }
}

TEST_CASE("util::one_line") {
    CHECK(calzion::util::one_line("Unable to find image 'x' locally\ndocker: Error response from daemon: denied\n") ==
          "Unable to find image 'x' locally; docker: Error response from daemon: denied");
    CHECK(calzion::util::one_line("\n  \n") == "no output");
    CHECK(calzion::util::one_line("") == "no output");
    CHECK(calzion::util::one_line("one") == "one");
}

TEST_CASE("calzion::util::split_lines and calzion::util::last_lines") {
    CHECK(calzion::util::split_lines("") == std::vector<std::string>{});
    CHECK(calzion::util::split_lines("a\n\nb\n") == std::vector<std::string>{"a", "", "b"});
    CHECK(calzion::util::split_lines("a\nb") == std::vector<std::string>{"a", "b"});
    CHECK(calzion::util::last_lines("one\n\ntwo\n  \nthree\n", 2) == "two\nthree");
    CHECK(calzion::util::last_lines("one\ntwo\n", 5, "  ") == "  one\n  two");
    CHECK(calzion::util::last_lines(" \n\n", 3).empty());
}
