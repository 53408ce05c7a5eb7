// Loading YAML into calzion's Node tree.
//
// The tree is built from yaml-cpp's parser events rather than from its node API, so
// that the limits of document.hpp are enforced while parsing: nesting is checked as
// each collection opens (yaml-cpp would otherwise recurse 2,000 levels deep), and an
// alias is checked against the size and height of what its anchor names before that
// is copied, so an alias bomb stops after a bounded amount of work and memory. The
// raw text is checked first for bytes that are not UTF-8 text, so that everything
// downstream (messages, JSON output) only ever sees valid UTF-8.

#include "tmpl/document.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <map>
#include <optional>
#include <sstream>
#include <string_view>

#include "util/strings.hpp"

namespace calzion::tmpl {

namespace {

SourceLocation location_of(const std::string& file, const YAML::Mark& mark) {
    // yaml-cpp marks are 0-based; calzion's locations are 1-based.
    if (mark.is_null()) {
        return {file, 0, 0};
    }
    return {file, mark.line + 1, mark.column + 1};
}

[[noreturn]] void fail_at(const std::string& text, SourceLocation where, std::string message) {
    Diagnostics diagnostics(text);
    diagnostics.add(std::move(where), std::move(message));
    diagnostics.throw_if_any();
    throw Error(ErrorKind::invalid_data, "unreachable");
}

std::string hex_byte(unsigned char byte) {
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "0x%02x", byte);
    return buffer;
}

// yaml-cpp reports what it found missing at the end of the file after the last line
// break, where there is no line to show: point just past the last character.
SourceLocation error_location(const std::string& file, const std::string& text, const LineIndex& lines,
                              const YAML::Mark& mark) {
    size_t last = text.find_last_not_of("\r\n");
    if (mark.is_null() || last == std::string::npos || static_cast<size_t>(mark.pos) <= last + 1) {
        return location_of(file, mark);
    }
    SourceLocation where = lines.locate(file, last);
    where.column += 1;
    return where;
}

// A tab in the indentation of the line yaml-cpp stopped at, or of the line
// before (its marks can point past the culprit): yaml-cpp's own message
// ("illegal map value" and the like) does not say so.
std::optional<SourceLocation> indenting_tab(std::string_view text, const LineIndex& lines,
                                            const SourceLocation& where) {
    for (int line = where.line; line >= 1 && line >= where.line - 1; --line) {
        std::string_view content = lines.line(text, line);
        size_t indent = content.find_first_not_of(" \t");
        size_t tab = content.substr(0, indent).find('\t');
        if (tab != std::string_view::npos) {
            return SourceLocation{where.file, line, static_cast<int>(tab) + 1};
        }
    }
    return std::nullopt;
}

// Reject what is not UTF-8 text before yaml-cpp sees it: invalid UTF-8, and control
// characters other than tab, line feed and carriage return (YAML allows none).
void check_text(const std::string& file, const std::string& text, const LineIndex& lines) {
    auto control = std::find_if(text.begin(), text.end(), [](char c) {
        auto byte = static_cast<unsigned char>(c);
        return (byte < 0x20 && c != '\t' && c != '\n' && c != '\r') || byte == 0x7f;
    });
    std::optional<size_t> invalid = util::invalid_utf8_offset(text);
    auto control_at = static_cast<size_t>(control - text.begin());
    if (invalid && *invalid < control_at) {
        fail_at(text, lines.locate(file, *invalid),
                "not UTF-8 text: invalid byte " + hex_byte(static_cast<unsigned char>(text[*invalid])));
    }
    if (control != text.end()) {
        fail_at(text, lines.locate(file, control_at),
                "not YAML text: control character " + hex_byte(static_cast<unsigned char>(*control)));
    }
}

// yaml-cpp reads a whole flow collection ("[a, b]", "{a: b}") ahead before it emits
// anything, at some 300 bytes a value: count the entries of each outermost one in
// the raw text first. Quotes and comments are skipped roughly; a miscount can only
// err towards fewer entries.
void check_flow_sizes(const std::string& file, const std::string& text, const LineIndex& lines) {
    int depth = 0;
    size_t opened = 0;
    size_t entries = 0;
    char quote = 0;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (quote != 0) {
            i += (c == '\\' && quote == '"') ? 1 : 0;
            quote = c == quote ? 0 : quote;
        } else if (c == '"' || c == '\'') {
            quote = c;
        } else if (c == '#' && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\t' || text[i - 1] == '\n')) {
            i = std::min(text.find('\n', i), text.size());
        } else if (c == '[' || c == '{') {
            opened = depth++ == 0 ? i : opened;
            entries = depth == 1 ? 0 : entries;
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        } else if (c == ',' && depth > 0 && ++entries >= k_max_flow_entries) {
            fail_at(text, lines.locate(file, opened),
                    "a [...] or {...} collection holds more than " + std::to_string(k_max_flow_entries) + " values");
        }
    }
}

// Find how the scalar's text sits in its source line: directly (plain) or right
// after an opening quote, with nothing escaped in between.
int literal_shift_of(std::string_view source_line, int column, const std::string& text) {
    if (column <= 0 || text.find('\n') != std::string::npos) {
        return -1;
    }
    std::string_view rest = source_line.substr(std::min<size_t>(static_cast<size_t>(column - 1), source_line.size()));
    if (rest.substr(0, text.size()) == text) {
        return 0;
    }
    if (!rest.empty() && (rest[0] == '"' || rest[0] == '\'') && rest.substr(1, text.size()) == text) {
        return 1;
    }
    return -1;
}

// Whether a scalar that starts at `start` (with its tag and anchor, if any) and is
// quoted has its closing quote. yaml-cpp takes a quote left open in a file that
// ends with a line break to run to the end of the file, which would silently
// swallow every line after it.
bool quote_closed(const std::string& text, size_t start) {
    size_t open = start;
    while (open < text.size() && (text[open] == '!' || text[open] == '&')) {
        open = text.find_first_not_of(" \t\r\n", text.find_first_of(" \t\r\n", open));
    }
    if (open >= text.size() || (text[open] != '"' && text[open] != '\'')) {
        return true;  // plain or a block scalar
    }
    const char quote = text[open];
    for (size_t i = open + 1; i < text.size(); ++i) {
        if (quote == '"' && text[i] == '\\') {
            ++i;
        } else if (text[i] == quote && quote == '\'' && i + 1 < text.size() && text[i + 1] == '\'') {
            ++i;
        } else if (text[i] == quote) {
            return true;
        }
    }
    return false;
}

// Whether `~` or `null` is written at the mark (not an empty value).
bool null_written_at(const std::string& text, const YAML::Mark& mark) {
    if (mark.pos < 0) {
        return false;
    }
    auto at = static_cast<size_t>(mark.pos);
    for (std::string_view word : {"~", "null", "Null", "NULL"}) {
        if (text.compare(at, word.size(), word) == 0) {
            return at + word.size() == text.size() || !std::isalnum(static_cast<unsigned char>(text[at + word.size()]));
        }
    }
    return false;
}

// A finished value with what the limits need to know about it.
struct Built {
    Node node;
    size_t count = 1;  // values in it, itself included
    int height = 0;    // levels below it
};

// Builds the Node tree of one document from parser events; see the top of the file.
class TreeBuilder final : public YAML::EventHandler {
public:
    TreeBuilder(const std::string& file, const std::string& text, const LineIndex& lines)
        : m_file(file), m_text(text), m_lines(lines) {}

    std::optional<Node> take_root() { return std::move(m_root); }

    void OnDocumentStart(const YAML::Mark&) override {}
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override;
    void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override;
    void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  const std::string& value) override;
    void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                         YAML::EmitterStyle::value) override {
        open(Node::Kind::sequence, mark, anchor);
    }
    void OnSequenceEnd() override { close(); }
    void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                    YAML::EmitterStyle::value) override {
        open(Node::Kind::mapping, mark, anchor);
    }
    void OnMapEnd() override { close(); }

private:
    struct Open {
        Built built;
        YAML::anchor_t anchor;
        std::optional<Node> key;  // a mapping's key waiting for its value
    };

    Node start(Node::Kind kind, const YAML::Mark& mark);
    void check_depth(const SourceLocation& where, int height);
    void open(Node::Kind kind, const YAML::Mark& mark, YAML::anchor_t anchor);
    void close();
    void finish(Built built, YAML::anchor_t anchor);
    void count(const SourceLocation& where, size_t values, size_t& total, size_t limit, const std::string& what);
    [[noreturn]] void fail(const YAML::Mark& mark, std::string message) {
        fail_at(m_text, location_of(m_file, mark), std::move(message));
    }

    const std::string& m_file;
    const std::string& m_text;
    const LineIndex& m_lines;
    std::vector<Open> m_open;
    std::map<YAML::anchor_t, Built> m_anchors;
    std::optional<Node> m_root;
    size_t m_values = 0;
    size_t m_alias_values = 0;
};

// Count one new value at the current depth and locate it.
Node TreeBuilder::start(Node::Kind kind, const YAML::Mark& mark) {
    Node node;
    node.kind = kind;
    node.where = location_of(m_file, mark);
    check_depth(node.where, 0);
    count(node.where, 1, m_values, k_max_document_nodes, "the document has more than");
    return node;
}

// Fail unless a value `height` levels high fits at the current depth.
void TreeBuilder::check_depth(const SourceLocation& where, int height) {
    if (static_cast<int>(m_open.size()) + height > k_max_document_depth) {
        fail_at(m_text, where, "values nested too deeply (more than " + std::to_string(k_max_document_depth) +
                                   " levels)");
    }
}

void TreeBuilder::count(const SourceLocation& where, size_t values, size_t& total, size_t limit,
                        const std::string& what) {
    if (values > limit - total) {
        fail_at(m_text, where, what + " " + std::to_string(limit) + " values");
    }
    total += values;
}

void TreeBuilder::OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) {
    Node node = start(Node::Kind::null, mark);
    // yaml-cpp places an empty value ("key:") at whatever comes next, often the next
    // line: the key says better where the value is missing.
    if (!null_written_at(m_text, mark) && !m_open.empty() && m_open.back().key) {
        node.where = m_open.back().key->where;
    } else if (!null_written_at(m_text, mark) && m_open.empty()) {
        node.where = {m_file, 1, 1};  // an empty document
    }
    finish(Built{std::move(node), 1, 0}, anchor);
}

void TreeBuilder::OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                           const std::string& value) {
    // Escapes can make what the raw text check could not see.
    if (value.find('\0') != std::string::npos) {
        fail(mark, "a value cannot contain a NUL character");
    }
    if (util::invalid_utf8_offset(value)) {
        fail(mark, "a value is not valid UTF-8: check its \"\\u\" escapes");
    }
    Node node = start(Node::Kind::scalar, mark);
    node.text = value;
    // yaml-cpp tags every quoted or block scalar "!" and every plain one "?".
    node.quoted = tag == "!";
    if (tag != "?" && mark.pos >= 0 && !quote_closed(m_text, static_cast<size_t>(mark.pos))) {
        fail(mark, "invalid YAML: a quoted value has no closing quote");
    }
    node.literal_shift = literal_shift_of(m_lines.line(m_text, node.where.line), node.where.column, node.text);
    finish(Built{std::move(node), 1, 0}, anchor);
}

void TreeBuilder::OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) {
    auto found = m_anchors.find(anchor);
    if (found == m_anchors.end()) {
        // yaml-cpp rejects unknown anchors itself: this one is still open.
        fail(mark, "an alias cannot refer to a value that contains it");
    }
    const Built& target = found->second;
    SourceLocation where = location_of(m_file, mark);
    check_depth(where, target.height);
    count(where, target.count, m_alias_values, k_max_alias_nodes, "aliases in the document expand to more than");
    count(where, target.count, m_values, k_max_document_nodes, "the document has more than");
    finish(target, YAML::NullAnchor);
}

void TreeBuilder::open(Node::Kind kind, const YAML::Mark& mark, YAML::anchor_t anchor) {
    m_open.push_back(Open{Built{start(kind, mark), 1, 0}, anchor, std::nullopt});
}

void TreeBuilder::close() {
    Open done = std::move(m_open.back());
    m_open.pop_back();
    finish(std::move(done.built), done.anchor);
}

// Hand a finished value to the collection that holds it, or make it the root.
void TreeBuilder::finish(Built built, YAML::anchor_t anchor) {
    if (anchor != YAML::NullAnchor) {
        // The kept copy counts: nested anchors would otherwise copy a tree many times.
        count(built.node.where, built.count, m_values, k_max_document_nodes, "the document has more than");
        m_anchors[anchor] = built;
    }
    if (m_open.empty()) {
        m_root = std::move(built.node);
        return;
    }
    Open& parent = m_open.back();
    parent.built.count += built.count;
    parent.built.height = std::max(parent.built.height, built.height + 1);
    Node& collection = parent.built.node;
    if (collection.is_sequence()) {
        collection.items.push_back(std::move(built.node));
    } else if (!parent.key) {
        parent.key = std::move(built.node);
    } else {
        collection.entries.emplace_back(std::move(*parent.key), std::move(built.node));
        parent.key.reset();
    }
}

// Fails where a second document starts. yaml-cpp also ends a document early where
// the next line cannot continue it ("- a" then "b: 1"): that is a syntax error, not
// a second document, unless "---" or "..." says so.
class SecondDocument final : public YAML::EventHandler {
public:
    SecondDocument(const std::string& file, const std::string& text) : m_file(file), m_text(text) {}

    void OnDocumentStart(const YAML::Mark& mark) override {
        auto at = static_cast<size_t>(std::max(mark.pos, 0));
        size_t before = m_text.find_last_not_of(" \t\r\n", at == 0 ? 0 : at - 1);
        bool separated = m_text.compare(at, 3, "---") == 0 ||
                         (before != std::string::npos && before >= 2 && m_text.compare(before - 2, 3, "...") == 0);
        fail_at(m_text, location_of(m_file, mark),
                separated ? "more than one YAML document in the file"
                          : "invalid YAML: unexpected content after the end of the top-level value");
    }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}

private:
    const std::string& m_file;
    const std::string& m_text;
};

}  // namespace

SourceLocation Node::at_offset(size_t offset) const {
    SourceLocation location = where;
    if (literal_shift >= 0 && location.column > 0) {
        location.column += literal_shift + static_cast<int>(offset);
    }
    return location;
}

std::string describe(const Node& node) {
    switch (node.kind) {
    case Node::Kind::null: return "nothing";
    case Node::Kind::scalar: return "a scalar";
    case Node::Kind::sequence: return "a list";
    case Node::Kind::mapping: return "a mapping";
    }
    return "a value";
}

Node load_document(const std::string& file, const std::string& text) {
    LineIndex lines(text);
    check_text(file, text, lines);
    check_flow_sizes(file, text, lines);
    std::istringstream stream(text);
    TreeBuilder builder(file, text, lines);
    try {
        YAML::Parser parser(stream);
        if (parser.HandleNextDocument(builder)) {
            SecondDocument second(file, text);
            parser.HandleNextDocument(second);
        }
    } catch (const YAML::Exception& error) {
        SourceLocation where = error_location(file, text, lines, error.mark);
        if (auto tab = indenting_tab(text, lines, where)) {
            fail_at(text, *tab, "invalid YAML: a tab indents this line (YAML indents with spaces only)");
        }
        fail_at(text, where, "invalid YAML: " + error.msg);
    }
    std::optional<Node> root = builder.take_root();
    if (!root) {
        Node empty;
        empty.where = {file, 1, 1};
        return empty;
    }
    return std::move(*root);
}

}  // namespace calzion::tmpl
