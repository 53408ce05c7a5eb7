#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "tmpl/document.hpp"

namespace calzion::tmpl {

// Reads typed values out of document nodes, reporting each problem to a
// Diagnostics and carrying on, so that validation finds every problem in one run.
// `what` names the value in messages, e.g. "\"cmd\" in service \"web\"".
//
// In lenient mode (validating a template before any variable is known), a scalar
// that still holds a `$` reference is accepted as it is: its value is checked after
// interpolation, when the template is rendered.
class Reader {
public:
    Reader(Diagnostics& diagnostics, bool lenient) : m_diagnostics(diagnostics), m_lenient(lenient) {}

    void error(const Node& node, std::string message) { m_diagnostics.add(node.where, std::move(message)); }
    Diagnostics* diagnostics() { return &m_diagnostics; }
    // Whether the node's value can only be checked once variables are resolved.
    bool deferred(const Node& node) const;

    std::optional<std::string> string(const Node& node, const std::string& what);
    std::optional<std::vector<std::string>> string_list(const Node& node, const std::string& what);
    // A mapping of names to scalars, or a list of "NAME=value" strings.
    std::map<std::string, std::string> string_map(const Node& node, const std::string& what);
    // A string_map whose names must be environment variable names.
    std::map<std::string, std::string> env_map(const Node& node, const std::string& what);
    // A command: a string split like a shell would (never run through one), or a list.
    std::optional<std::vector<std::string>> command(const Node& node, const std::string& what);
    std::optional<int> integer(const Node& node, const std::string& what, long min, long max);
    // A docker duration ("30s", "1m30s", "500ms"); a bare number means seconds.
    std::optional<std::string> duration(const Node& node, const std::string& what);
    // One of `choices`; another value is an error, with a did-you-mean when one is close.
    std::optional<std::string> choice(const Node& node, const std::string& what,
                                      const std::vector<std::string>& choices);

private:
    void wrong_type(const Node& node, const std::string& what, const std::string& expected);

    Diagnostics& m_diagnostics;
    bool m_lenient;
};

// The node that names `name` in a mapping (its key) or in a list of NAME=value
// strings (the item), so that a problem with one entry points at that entry;
// the container itself when neither has it.
const Node& entry_node(const Node& container, const std::string& name);

// Report keys of `mapping` that appear more than once, anywhere in the tree.
void check_duplicate_keys(const Node& node, Diagnostics& diagnostics);

// Report keys of `mapping` not in `known`, with a did-you-mean.
void check_known_keys(const Node& mapping, const std::vector<std::string>& known, const std::string& where,
                      Diagnostics& diagnostics);

}  // namespace calzion::tmpl
