#include "tmpl/yaml_emit.hpp"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tmpl/document.hpp"
#include "util/error.hpp"

using calzion::tmpl::to_yaml;
using calzion::tmpl::load_document;
using calzion::tmpl::Node;
using json = nlohmann::ordered_json;

namespace {

// Whether a node read back from YAML holds exactly what `value` held; the
// difference, if any, goes to `why`.
bool same(const json& value, const Node& node, std::string& why) {
    if (value.is_null()) {
        why = "expected null";
        return node.is_null();
    }
    if (value.is_string() || value.is_number() || value.is_boolean()) {
        std::string text = value.is_string() ? value.get<std::string>() : value.dump();
        why = "expected " + value.dump() + ", read " + (node.is_scalar() ? json(node.text).dump() : "a non-scalar");
        return node.is_scalar() && node.text == text;
    }
    if (value.is_array()) {
        if (!node.is_sequence() || node.items.size() != value.size()) {
            why = "expected a list of " + std::to_string(value.size());
            return false;
        }
        for (size_t i = 0; i < value.size(); ++i) {
            if (!same(value[i], node.items[i], why)) {
                return false;
            }
        }
        return true;
    }
    if (!node.is_mapping() || node.entries.size() != value.size()) {
        why = "expected a mapping of " + std::to_string(value.size());
        return false;
    }
    size_t i = 0;
    for (const auto& [key, item] : value.items()) {
        if (!same(json(key), node.entries[i].first, why) || !same(item, node.entries[i].second, why)) {
            return false;
        }
        ++i;
    }
    return true;
}

// Emit, read back with calzion's own YAML loader, and compare.
void check_round_trip(const json& value) {
    std::string yaml = to_yaml(value);
    INFO("YAML:\n" << yaml);
    std::string why;
    try {
        CHECK_MESSAGE(same(value, load_document("out.yaml", yaml), why), why);
    } catch (const calzion::Error& error) {
        FAIL_CHECK("does not read back: " << error.what());
    }
}

// Strings that YAML would read as something else, or not read at all, if unquoted.
const std::vector<std::string> k_tricky = {
    "", " ", "true", "True", "FALSE", "yes", "No", "on", "OFF", "y", "n", "null", "Null", "NULL", "~",
    "0", "010", "1.5", ".5", "-1", "+1", "1e3", "0x1F", "0o17", ".inf", "-.inf", ".nan", "NaN", "2024-01-01",
    "-", "--", "---", "...", "- a", "-a", "?", "? a", "?a", ":", ":a", "a:", "a: b", "a:b", "a :b", "#",
    "#a", "a #b", "a#b", "a # b", "@a", "`a", "!a", "!!str", "&a", "*a", "|", ">", "%a", "'a", "\"a",
    "a'b", "a\"b", "a\\b", "\\", "[a]", "{a}", "a, b", "a,b", ",a", "]", "}", "<<", "=", "a=b", " lead",
    "trail ", "in side", "tab\there", "\ttab", "new\nline", "\n", "trailing newline\n", "\r\n",
    "caf\xc3\xa9", "\xf0\x9f\x98\x80 beyond the BMP", "\xe2\x80\xa8 line separator", "\xef\xbb\xbf bom",
    "\xc2\x85 next line", "\x01\x02\x1b[31m", "\x7f", "$(rm -rf /)", "${VAR}", "a\"'\\`$",
    "postgres://app@db:5432/app", "http://example.com/?a=1&b=2#frag", "--bind", "-rf",
};

}  // namespace

TEST_CASE("tmpl::yaml_emit") {
    SUBCASE("plain strings stay plain; the rest is double-quoted") {
        CHECK(to_yaml(json{{"a", "web"}}) == "a: web\n");
        CHECK(to_yaml(json{{"a", "nginx:1.25"}}) == "a: nginx:1.25\n");
        CHECK(to_yaml(json{{"a", "postgres://db:5432/app"}}) == "a: postgres://db:5432/app\n");
        CHECK(to_yaml(json{{"a", "a#b"}}) == "a: a#b\n");
        CHECK(to_yaml(json{{"a", "in side"}}) == "a: in side\n");
        CHECK(to_yaml(json{{"a", ""}}) == "a: \"\"\n");
        CHECK(to_yaml(json{{"a", "true"}}) == "a: \"true\"\n");
        CHECK(to_yaml(json{{"a", "No"}}) == "a: \"No\"\n");
        CHECK(to_yaml(json{{"a", "~"}}) == "a: \"~\"\n");
        CHECK(to_yaml(json{{"a", "010"}}) == "a: \"010\"\n");
        CHECK(to_yaml(json{{"a", "--bind"}}) == "a: \"--bind\"\n");
        CHECK(to_yaml(json{{"a", "a: b"}}) == "a: \"a: b\"\n");
        CHECK(to_yaml(json{{"a", "a #b"}}) == "a: \"a #b\"\n");
        CHECK(to_yaml(json{{"a", "trail "}}) == "a: \"trail \"\n");
        CHECK(to_yaml(json{{"a", "*a"}}) == "a: \"*a\"\n");
    }

    SUBCASE("escapes in double quotes") {
        CHECK(to_yaml(json{{"a", "say \"hi\" \\o/"}}) == "a: say \"hi\" \\o/\n");
        CHECK(to_yaml(json{{"a", "\"hi\""}}) == "a: \"\\\"hi\\\"\"\n");
        CHECK(to_yaml(json{{"a", "line\nnext\ttab\rcr"}}) == "a: \"line\\nnext\\ttab\\rcr\"\n");
        CHECK(to_yaml(json{{"a", "\x01\x1b\x7f"}}) == "a: \"\\x01\\x1b\\x7f\"\n");
        // UTF-8 is written as it is, except what YAML does not print.
        CHECK(to_yaml(json{{"a", "caf\xc3\xa9 \xf0\x9f\x98\x80"}}) == "a: \"caf\xc3\xa9 \xf0\x9f\x98\x80\"\n");
        CHECK(to_yaml(json{{"a", "\xc2\x85|\xe2\x80\xa8|\xe2\x80\xa9|\xef\xbb\xbf"}}) ==
              "a: \"\\x85|\\u2028|\\u2029|\\ufeff\"\n");
        // A string holding DEL, U+2028 or U+2029 (a line break to YAML 1.1 readers) is all ASCII.
        CHECK(to_yaml(json{{"a", "caf\xc3\xa9\x7f"}}) == "a: \"caf\\xe9\\x7f\"\n");
        // Not UTF-8: each bad byte becomes U+FFFD rather than an exception.
        CHECK(to_yaml(json{{"a", "x\xffy"}}) == "a: \"x\\ufffdy\"\n");
    }

    SUBCASE("keys are quoted by the same rules") {
        CHECK(to_yaml(json{{"N", "v"}, {"io.calzion.spec-hash", "h"}, {"a b", 1}, {"8080", 2}, {"", 3}}) ==
              "\"N\": v\nio.calzion.spec-hash: h\na b: 1\n\"8080\": 2\n\"\": 3\n");
    }

    SUBCASE("numbers, booleans and null") {
        CHECK(to_yaml(json{{"i", 42}, {"n", -7}, {"f", 1.5}, {"t", true}, {"z", nullptr}}) ==
              "i: 42\n\"n\": -7\nf: 1.5\nt: true\nz: null\n");
    }

    SUBCASE("nesting and empty containers") {
        json value = {{"name", "web"},
                      {"command", {"serve", "--port", "80"}},
                      {"env", {{"A", "1"}, {"B", "x"}}},
                      {"empty_list", json::array()},
                      {"empty_map", json::object()},
                      {"mounts", {{{"type", "bind"}, {"ro", true}}, {{"type", "volume"}, {"ro", false}}}},
                      {"nested", {{1, 2}, json::array(), {{{"k", json::object()}}}}}};
        CHECK(to_yaml(value) == R"(name: web
command:
  - serve
  - "--port"
  - "80"
env:
  A: "1"
  B: x
empty_list: []
empty_map: {}
mounts:
  - type: bind
    ro: true
  - type: volume
    ro: false
nested:
  -
    - 1
    - 2
  - []
  -
    - k: {}
)");
        check_round_trip(value);
    }

    SUBCASE("a value that is not a container") {
        CHECK(to_yaml(json("text")) == "text\n");
        CHECK(to_yaml(json("true")) == "\"true\"\n");
        CHECK(to_yaml(json(3)) == "3\n");
        CHECK(to_yaml(json(nullptr)) == "null\n");
        CHECK(to_yaml(json::array()) == "[]\n");
        CHECK(to_yaml(json::object()) == "{}\n");
    }

    SUBCASE("every tricky string reads back as itself, as a value, a key and a list item") {
        for (const auto& text : k_tricky) {
            CAPTURE(text);
            check_round_trip(json{{"value", text}});
            check_round_trip(json{{text, "key"}});
            check_round_trip(json{{"list", {text, text}}});
        }
    }

    SUBCASE("every byte from 0x01 to 0x7f, alone and in a word, reads back as itself") {
        for (int c = 1; c < 0x80; ++c) {
            std::string one(1, static_cast<char>(c));
            CAPTURE(c);
            check_round_trip(json{{"alone", one}, {"word", "a" + one + "b"}, {"lead", one + "ab"}, {"end", "ab" + one}});
        }
    }
}
