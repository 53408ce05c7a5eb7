#pragma once

#include <string>
#include <utility>
#include <vector>

#include "util/error.hpp"

namespace calzion::tmpl {

// A YAML document as calzion sees it: plain values with their source locations.
// yaml-cpp stays inside document.cpp; everything else reads this tree.
struct Node {
    enum class Kind { null, scalar, sequence, mapping };

    Kind kind = Kind::null;
    std::string text;     // the scalar exactly as written (no yes->true, no 010->8)
    bool quoted = false;  // the scalar was written in quotes: always a string
    // How many characters before the text starts in the source when the scalar is
    // written on one line without escapes (0 plain, 1 quoted); -1 when it is not.
    int literal_shift = -1;
    SourceLocation where;
    std::vector<Node> items;                     // sequence
    std::vector<std::pair<Node, Node>> entries;  // mapping, in source order, duplicates kept

    bool is_null() const { return kind == Kind::null; }
    bool is_scalar() const { return kind == Kind::scalar; }
    bool is_sequence() const { return kind == Kind::sequence; }
    bool is_mapping() const { return kind == Kind::mapping; }
    // Where a character `offset` bytes into a literal scalar sits; else the scalar's start.
    SourceLocation at_offset(size_t offset) const;
};

// Describe a node's kind for messages: "a mapping", "a list", "a string", "null".
std::string describe(const Node& node);

// Limits that keep hostile documents from exhausting memory or the stack: values in
// all, values copied in by aliases (an "alias bomb" expands exponentially), entries
// of one flow collection ("[a, b]", "{a: b}"), and nesting levels (the root is
// level 0).
inline constexpr size_t k_max_document_nodes = 500'000;
inline constexpr size_t k_max_alias_nodes = 100'000;
inline constexpr size_t k_max_flow_entries = 100'000;
inline constexpr int k_max_document_depth = 64;

// Parse YAML `text` read from `file` into a Node tree; an alias becomes a copy of
// what its anchor names. An empty document is a null node. Throws
// Error(invalid_data) naming file:line:col on the first of: a byte that is not UTF-8
// text or a control character, a syntax error, a NUL character or invalid UTF-8
// made by an escape, more than one document, an alias to a value that contains it,
// and a limit above exceeded.
Node load_document(const std::string& file, const std::string& text);

}  // namespace calzion::tmpl
