#include "tmpl/document.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <string>

#include "util/error.hpp"

using calzion::Error;
using calzion::ErrorKind;
using calzion::SourceLocation;
using calzion::tmpl::describe;
using calzion::tmpl::load_document;
using calzion::tmpl::Node;

namespace {

Node load(const std::string& text) { return load_document("t.yaml", text); }

// "t.yaml:1:2: message" of the error load_document throws, or "no error".
std::string problem(const std::string& text) {
    try {
        load(text);
    } catch (const Error& error) {
        CHECK(error.kind() == ErrorKind::invalid_data);
        REQUIRE(error.diagnostics().size() == 1);
        const auto& diagnostic = error.diagnostics().front();
        return diagnostic.where.to_string() + ": " + diagnostic.message;
    }
    return "no error";
}

std::string at(const SourceLocation& where) { return where.to_string(); }

// The value of `key` in a mapping node.
const Node& value_of(const Node& mapping, const std::string& key) {
    for (const auto& [k, v] : mapping.entries) {
        if (k.text == key) {
            return v;
        }
    }
    FAIL("no key " << key);
    return mapping;
}

std::string nested(int levels, const std::string& open, const std::string& inner, const std::string& close) {
    std::string text;
    for (int i = 0; i < levels; ++i) {
        text += open;
    }
    text += inner;
    for (int i = 0; i < levels; ++i) {
        text += close;
    }
    return text;
}

}  // namespace

TEST_CASE("tmpl::document") {
    SUBCASE("locations are 1-based line and column, in bytes") {
        Node root = load("services:\n  web:\n    image: nginx\n    cmd: [a, \"b\"]\n");
        CHECK(at(root.where) == "t.yaml:1:1");
        const Node& services = value_of(root, "services");
        CHECK(at(root.entries[0].first.where) == "t.yaml:1:1");
        CHECK(at(services.where) == "t.yaml:2:3");
        const Node& web = value_of(services, "web");
        CHECK(at(web.where) == "t.yaml:3:5");
        CHECK(at(value_of(web, "image").where) == "t.yaml:3:12");
        const Node& cmd = value_of(web, "cmd");
        CHECK(at(cmd.where) == "t.yaml:4:10");
        CHECK(at(cmd.items[0].where) == "t.yaml:4:11");
        CHECK(at(cmd.items[1].where) == "t.yaml:4:14");
        // A two-byte "é" counts as two columns.
        CHECK(at(value_of(load("a: é\nb: c"), "a").where) == "t.yaml:1:4");
        CHECK(at(load("é: [x, y]").entries[0].second.items[1].where) == "t.yaml:1:9");
    }

    SUBCASE("CRLF line ends do not leak into values or columns") {
        Node root = load("a: b\r\nc: d\r\n");
        CHECK(value_of(root, "a").text == "b");
        CHECK(value_of(root, "c").text == "d");
        CHECK(at(value_of(root, "c").where) == "t.yaml:2:4");
    }

    SUBCASE("kinds, and describe()") {
        Node root = load("m: {a: 1}\nl: [1]\ns: x\nn: ~\n");
        CHECK(root.is_mapping());
        CHECK(value_of(root, "m").is_mapping());
        CHECK(value_of(root, "l").is_sequence());
        CHECK(value_of(root, "s").is_scalar());
        CHECK(value_of(root, "n").is_null());
        CHECK(describe(value_of(root, "m")) == "a mapping");
        CHECK(describe(value_of(root, "l")) == "a list");
        CHECK(describe(value_of(root, "s")) == "a scalar");
        CHECK(describe(value_of(root, "n")) == "nothing");
    }

    SUBCASE("scalars are kept exactly as written, quoted or plain") {
        Node root = load("a: \"x\"\nb: 'y'\nc: z\nd: 010\ne: yes\nf: 1.50\ng: 'null'\nh: \"~\"\ni: 0x1F\n");
        CHECK(value_of(root, "a").text == "x");
        CHECK(value_of(root, "a").quoted);
        CHECK(value_of(root, "b").text == "y");
        CHECK(value_of(root, "b").quoted);
        CHECK(value_of(root, "c").text == "z");
        CHECK_FALSE(value_of(root, "c").quoted);
        CHECK(value_of(root, "d").text == "010");
        CHECK(value_of(root, "e").text == "yes");
        CHECK(value_of(root, "f").text == "1.50");
        CHECK(value_of(root, "g").is_scalar());
        CHECK(value_of(root, "g").text == "null");
        CHECK(value_of(root, "h").text == "~");
        CHECK(value_of(root, "i").text == "0x1F");
        CHECK_FALSE(root.entries[0].first.quoted);
    }

    SUBCASE("block scalars count as quoted") {
        Node root = load("a: |\n  line one\n  line two\nb: >-\n  folded\n  text\n");
        CHECK(value_of(root, "a").text == "line one\nline two\n");
        CHECK(value_of(root, "a").quoted);
        CHECK(value_of(root, "b").text == "folded text");
        CHECK(value_of(root, "b").quoted);
    }

    SUBCASE("plain ~, null, Null, NULL and empty values are null") {
        Node root = load("a: ~\nb: null\nc: Null\nd: NULL\ne:\nf: nullx\n");
        for (const char* key : {"a", "b", "c", "d", "e"}) {
            CHECK_MESSAGE(value_of(root, key).is_null(), key);
            CHECK(value_of(root, key).text.empty());
        }
        CHECK(value_of(root, "f").text == "nullx");
        // An explicit null is where it is written; an empty value is at its key.
        CHECK(at(value_of(root, "b").where) == "t.yaml:2:4");
        CHECK(at(value_of(root, "e").where) == "t.yaml:5:1");
        CHECK(at(value_of(load("a:\nb: 1"), "a").where) == "t.yaml:1:1");
        CHECK(at(value_of(load("x: 1\nlast:"), "last").where) == "t.yaml:2:1");
    }

    SUBCASE("literal_shift says where the text starts, when it can be known") {
        CHECK(value_of(load("a: plain"), "a").literal_shift == 0);
        CHECK(value_of(load("a: \"double\""), "a").literal_shift == 1);
        CHECK(value_of(load("a: 'single'"), "a").literal_shift == 1);
        CHECK(value_of(load("a: [x, \"y\"]"), "a").items[1].literal_shift == 1);
        // Escapes and line folding change the text: no shift is known.
        CHECK(value_of(load("a: \"t\\tb\""), "a").literal_shift == -1);
        CHECK(value_of(load("a: 'it''s'"), "a").literal_shift == -1);
        CHECK(value_of(load("a: plain\n  continued"), "a").literal_shift == -1);
        CHECK(value_of(load("a: |\n  block\n"), "a").literal_shift == -1);
        CHECK(value_of(load("a: |-\n  block\n"), "a").literal_shift == -1);
        CHECK(value_of(load("a: !!str tagged"), "a").literal_shift == -1);
        CHECK(value_of(load("a: ~"), "a").literal_shift == -1);
    }

    SUBCASE("at_offset points at a byte inside a literal scalar, else at its start") {
        CHECK(at(value_of(load("a: x${B}"), "a").at_offset(1)) == "t.yaml:1:5");
        CHECK(at(value_of(load("a: \"x${B}\""), "a").at_offset(1)) == "t.yaml:1:6");
        CHECK(at(value_of(load("a: 'x${B}'"), "a").at_offset(0)) == "t.yaml:1:5");
        CHECK(at(value_of(load("a: é${B}"), "a").at_offset(2)) == "t.yaml:1:6");
        CHECK(at(value_of(load("a: \"t\\t${B}\""), "a").at_offset(2)) == "t.yaml:1:4");
        CHECK(at(value_of(load("a: |\n  ${B}\n"), "a").at_offset(0)) == "t.yaml:1:4");
        Node unknown;
        CHECK(at(unknown.at_offset(3)) == "");
    }

    SUBCASE("mapping entries keep source order and duplicates") {
        Node root = load("b: 1\na: 2\nb: 3\n");
        REQUIRE(root.entries.size() == 3);
        CHECK(root.entries[0].first.text == "b");
        CHECK(root.entries[1].first.text == "a");
        CHECK(root.entries[2].first.text == "b");
        CHECK(root.entries[2].second.text == "3");
    }

    SUBCASE("a key may be any value") {
        Node root = load("? [a]\n: b\n");
        REQUIRE(root.entries.size() == 1);
        CHECK(root.entries[0].first.is_sequence());
        CHECK(root.entries[0].second.text == "b");
    }

    SUBCASE("an empty document is a null node at 1:1") {
        for (const char* text : {"", "\n\n", "# only a comment\n", "---", "--- \n"}) {
            Node root = load(text);
            CHECK_MESSAGE(root.is_null(), text);
            CHECK(at(root.where) == "t.yaml:1:1");
        }
        CHECK(at(load("---\n").where) == "t.yaml:1:1");
        CHECK(load("a: 1\n...\n").is_mapping());
        // An explicit null is where it is written.
        CHECK(at(load("# c\n~").where) == "t.yaml:2:1");
    }

    SUBCASE("a bare scalar and a list are documents too") {
        CHECK(load("just text").text == "just text");
        CHECK(load("- a\n- b").items.size() == 2);
    }

    SUBCASE("more than one document is an error at the second") {
        CHECK(problem("a: 1\n---\nb: 2\n") == "t.yaml:2:1: more than one YAML document in the file");
        CHECK(problem("a: 1\n---\n") == "t.yaml:2:1: more than one YAML document in the file");
        CHECK(problem("---\na: 1\n--- \nb: 2\n") == "t.yaml:3:1: more than one YAML document in the file");
        CHECK(problem("a: 1\n...\nb: 2\n") == "t.yaml:3:1: more than one YAML document in the file");
    }

    SUBCASE("content that cannot continue the document is a syntax error, not a second document") {
        CHECK(problem("- a\nb: 1\n") == "t.yaml:2:1: invalid YAML: unexpected content after the end of the top-level value");
        CHECK(problem("- a\n- b\nc\n") == "t.yaml:3:1: invalid YAML: unexpected content after the end of the top-level value");
    }

    SUBCASE("syntax errors name the place and yaml-cpp's reason") {
        // What is missing at the end is reported just past the last character.
        CHECK(problem("a: [1, 2\n") == "t.yaml:1:9: invalid YAML: end of sequence flow not found");
        CHECK(problem("web:\n  image: x\n\tcmd: y\n") ==
              "t.yaml:3:1: invalid YAML: a tab indents this line (YAML indents with spaces only)");
        CHECK(problem("a: [1, 2") == "t.yaml:1:1: invalid YAML: end of sequence flow not found");
        CHECK(problem("{a: 1\n\n\n") == "t.yaml:1:6: invalid YAML: end of map flow not found");
        CHECK(problem("a: b: c\n") == "t.yaml:1:5: invalid YAML: illegal map value");
        CHECK(problem("a: 1\n- b\n") == "t.yaml:2:1: invalid YAML: end of map not found");
        CHECK(problem("a: 'x") == "t.yaml:1:6: invalid YAML: illegal EOF in scalar");
        CHECK(problem("a: \"x") == "t.yaml:1:6: invalid YAML: illegal EOF in scalar");
        CHECK(problem("a:\n\tb: 1\n") == "t.yaml:2:1: invalid YAML: a tab indents this line (YAML indents with spaces only)");
        CHECK(problem("a: *nothing\n") == "t.yaml:1:4: invalid YAML: the referenced anchor is not defined");
        CHECK(problem("a: \"\\q\"\n") == "t.yaml:1:7: invalid YAML: unknown escape character: q");
        CHECK(problem("a: \"\\ud800\"\n") == "t.yaml:1:11: invalid YAML: invalid unicode: 55296");
    }

    SUBCASE("a quote left open does not swallow the rest of the file") {
        // yaml-cpp alone reads this as a: "x b: 1 " and no b.
        CHECK(problem("a: 'x\nb: 1\n") == "t.yaml:1:4: invalid YAML: a quoted value has no closing quote");
        CHECK(problem("a: 1\nb: \"x\\\"\nc: 2\n") == "t.yaml:2:4: invalid YAML: a quoted value has no closing quote");
        CHECK(problem("- &anchor 'x\n- y\n") == "t.yaml:1:3: invalid YAML: a quoted value has no closing quote");
        CHECK(problem("a: 'it''s'\nb: \"x\\\\\"\nc: 'two\n  lines'\n") == "no error");
    }

    SUBCASE("the error carries the source line for the caret") {
        try {
            load("a: 1\nb: [x\n");
            FAIL("no error");
        } catch (const Error& error) {
            REQUIRE(error.diagnostics().size() == 1);
            CHECK(error.diagnostics()[0].source_line == "b: [x");
            CHECK(std::string(error.what()) == "t.yaml:2:6: invalid YAML: end of sequence flow not found");
        }
    }

    SUBCASE("bytes that are not UTF-8 text are refused before parsing") {
        CHECK(problem("a: \xff\n") == "t.yaml:1:4: not UTF-8 text: invalid byte 0xff");
        CHECK(problem("a: ok\nb: x\xc3(\n") == "t.yaml:2:5: not UTF-8 text: invalid byte 0xc3");
        CHECK(problem("a: \"\xed\xa0\x80\"\n") == "t.yaml:1:5: not UTF-8 text: invalid byte 0xed");
        CHECK(problem(std::string("a: b\0c\n", 7)) == "t.yaml:1:5: not YAML text: control character 0x00");
        CHECK(problem("a: \x1b[31m\n") == "t.yaml:1:4: not YAML text: control character 0x1b");
        CHECK(problem("a: \x7f\n") == "t.yaml:1:4: not YAML text: control character 0x7f");
        // Tabs, CR and LF are text; so is any valid UTF-8.
        CHECK(problem("a: \"x\ty\"\r\nb: caf\xc3\xa9 \xf0\x9f\x98\x80\n") == "no error");
    }

    SUBCASE("the source line of an error cannot steer a terminal") {
        try {
            load("a: b\nc: \x1b]0;owned\x07 \xff\n");
            FAIL("no error");
        } catch (const Error& error) {
            REQUIRE(error.diagnostics().size() == 1);
            CHECK(error.diagnostics()[0].where.to_string() == "t.yaml:2:4");
            CHECK(error.diagnostics()[0].source_line == "c: ?]0;owned? ?");
        }
    }

    SUBCASE("escapes cannot smuggle in NUL or invalid UTF-8") {
        CHECK(problem("a: \"x\\0y\"\n") == "t.yaml:1:4: a value cannot contain a NUL character");
        CHECK(problem("a: \"\\x00\"\n") == "t.yaml:1:4: a value cannot contain a NUL character");
        CHECK(value_of(load("a: \"caf\\u00e9 \\x41\"\n"), "a").text == "caf\xc3\xa9 A");
    }

    SUBCASE("aliases are copies of what their anchor names") {
        Node root = load("base: &b {k: v, l: [1, 2]}\ncopy: *b\nitem: &i x\nlist: [*i, *i]\n");
        const Node& copy = value_of(root, "copy");
        REQUIRE(copy.is_mapping());
        CHECK(value_of(copy, "k").text == "v");
        CHECK(value_of(copy, "l").items.size() == 2);
        // The copy keeps the locations of the original.
        CHECK(at(copy.where) == "t.yaml:1:7");
        CHECK(value_of(root, "list").items[1].text == "x");
    }

    SUBCASE("an alias inside the value it names is an error") {
        CHECK(problem("a: &x [*x]\n") == "t.yaml:1:8: an alias cannot refer to a value that contains it");
        CHECK(problem("a: &x {k: *x}\n") == "t.yaml:1:11: an alias cannot refer to a value that contains it");
    }

    SUBCASE("nesting: 64 levels below the root are fine, 65 are not") {
        Node root = load(nested(64, "[", "x", "]"));
        const Node* node = &root;
        int levels = 0;
        while (node->is_sequence()) {
            node = &node->items.front();
            ++levels;
        }
        CHECK(levels == 64);
        CHECK(node->text == "x");
        // The 65th level is the "x", or the 66th "[".
        CHECK(problem(nested(65, "[", "x", "]")) == "t.yaml:1:66: values nested too deeply (more than 64 levels)");
        CHECK(problem(nested(66, "[", "x", "]")) == "t.yaml:1:66: values nested too deeply (more than 64 levels)");
        // The key "a" in the 65th mapping is at level 65.
        CHECK(problem(nested(65, "{a: ", "x", "}")) == "t.yaml:1:258: values nested too deeply (more than 64 levels)");
        CHECK(problem("a: " + nested(65, "[", "", "]")) == "t.yaml:1:68: values nested too deeply (more than 64 levels)");
    }

    SUBCASE("deep nesting stops early and cleanly, even unterminated") {
        CHECK(problem(nested(10'000, "[", "", "]")) == "t.yaml:1:66: values nested too deeply (more than 64 levels)");
        CHECK(problem(std::string(10'000, '[')).find(": values nested too deeply (more than 64 levels)") !=
              std::string::npos);
        std::string block;
        for (int i = 0; i < 200; ++i) {
            block += std::string(static_cast<size_t>(i), ' ') + "k:\n";
        }
        // Line n holds a mapping at level n - 1 and its key at level n.
        CHECK(problem(block) == "t.yaml:65:65: values nested too deeply (more than 64 levels)");
    }

    SUBCASE("an alias bomb is stopped quickly, before it is expanded") {
        std::string bomb = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
        for (char level = 'b'; level <= 'j'; ++level) {
            std::string previous(1, static_cast<char>(level - 1));
            bomb += std::string(1, level) + ": &" + level + " [";
            for (int i = 0; i < 10; ++i) {
                bomb += (i == 0 ? "*" : ", *") + previous;
            }
            bomb += "]\n";
        }
        auto started = std::chrono::steady_clock::now();
        // b to d copy in 12330 values; each *d of e adds 11111 more: the 8th is too many.
        CHECK(problem(bomb) == "t.yaml:5:36: aliases in the document expand to more than 100000 values");
        // Not a timing test: a generous bound only catches an expansion of 10^9 values.
        CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(20));
    }

    SUBCASE("aliases as deep as the limit allows, but no deeper") {
        std::string deep = "a: &a " + nested(60, "[", "x", "]") + "\n";
        CHECK(problem(deep + "b: [[[*a]]]\n") == "no error");
        CHECK(problem(deep + "b: [[[[*a]]]]\n") == "t.yaml:2:8: values nested too deeply (more than 64 levels)");
    }

    SUBCASE("huge flow collections are refused before yaml-cpp reads them ahead") {
        std::string flow = "a: [";
        for (int i = 0; i < 100'001; ++i) {
            flow += "x,";
        }
        flow += "x]\n";
        CHECK(problem(flow) == "t.yaml:1:4: a [...] or {...} collection holds more than 100000 values");
        // Commas in quotes and comments do not count.
        std::string quoted = "a: [\"" + std::string(200'000, ',') + "\", '" + std::string(200'000, ',') + "']\n";
        CHECK(problem(quoted) == "no error");
        CHECK(problem("# " + std::string(200'000, ',') + "\na: [1]\n") == "no error");
    }

    SUBCASE("more than 500000 values in all is refused") {
        std::string big;
        big.reserve(2'100'000);
        for (int i = 0; i < 500'001; ++i) {
            big += "- a\n";
        }
        CHECK(problem(big) == "t.yaml:500000:3: the document has more than 500000 values");
    }
}
