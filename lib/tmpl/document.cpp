#include "tmpl/document.hpp"

#include <yaml-cpp/yaml.h>

#include <string_view>

namespace calzion::tmpl {

namespace {

SourceLocation location_of(const std::string& file, const YAML::Mark& mark) {
    // yaml-cpp marks are 0-based; calzion's locations are 1-based.
    if (mark.is_null()) {
        return {file, 0, 0};
    }
    return {file, mark.line + 1, mark.column + 1};
}

// Find how the scalar's text sits in its source line: directly (plain) or right
// after an opening quote, with nothing escaped in between.
int literal_shift_of(const std::string& source_line, int column, const std::string& text) {
    if (column <= 0 || text.find('\n') != std::string::npos) {
        return -1;
    }
    std::string_view rest = std::string_view(source_line).substr(
        std::min<size_t>(static_cast<size_t>(column - 1), source_line.size()));
    if (rest.substr(0, text.size()) == text) {
        return 0;
    }
    if (!rest.empty() && (rest[0] == '"' || rest[0] == '\'') && rest.substr(1, text.size()) == text) {
        return 1;
    }
    return -1;
}

class Converter {
public:
    Converter(const std::string& file, const std::string& text) : m_file(file), m_text(text) {}

    Node convert(const YAML::Node& yaml, int depth) {
        if (++m_count > k_max_document_nodes) {
            fail(yaml.Mark(), "document too large (more than " + std::to_string(k_max_document_nodes) +
                            " values, counting aliases expanded)");
        }
        if (depth > k_max_document_depth) {
            fail(yaml.Mark(), "values nested too deeply (more than " + std::to_string(k_max_document_depth) +
                            " levels)");
        }
        Node node;
        node.where = location_of(m_file, yaml.Mark());
        switch (yaml.Type()) {
        case YAML::NodeType::Scalar: convert_scalar(yaml, node); break;
        case YAML::NodeType::Sequence:
            node.kind = Node::Kind::sequence;
            for (const auto& item : yaml) {
                node.items.push_back(convert(item, depth + 1));
            }
            break;
        case YAML::NodeType::Map:
            node.kind = Node::Kind::mapping;
            for (const auto& entry : yaml) {
                node.entries.emplace_back(convert(entry.first, depth + 1), convert(entry.second, depth + 1));
            }
            break;
        default: node.kind = Node::Kind::null; break;
        }
        return node;
    }

private:
    [[noreturn]] void fail(const YAML::Mark& mark, const std::string& message) {
        Diagnostics diagnostics(m_text);
        diagnostics.add(location_of(m_file, mark), message);
        diagnostics.throw_if_any();
        throw Error(ErrorKind::invalid_data, message);  // not reached
    }

    void convert_scalar(const YAML::Node& yaml, Node& node) {
        node.kind = Node::Kind::scalar;
        node.text = yaml.Scalar();
        node.quoted = yaml.Tag() == "!";
        // A plain `~` or `null` is YAML's null, as is an empty value.
        if (!node.quoted && (node.text == "~" || node.text == "null" || node.text == "Null" || node.text == "NULL")) {
            node.kind = Node::Kind::null;
            node.text.clear();
            return;
        }
        node.literal_shift = literal_shift_of(line_of(m_text, node.where.line), node.where.column, node.text);
    }

    const std::string& m_file;
    const std::string& m_text;
    size_t m_count = 0;
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
    std::vector<YAML::Node> documents;
    try {
        documents = YAML::LoadAll(text);
    } catch (const YAML::Exception& error) {
        Diagnostics diagnostics(text);
        diagnostics.add(location_of(file, error.mark), "invalid YAML: " + error.msg);
        diagnostics.throw_if_any();
    }
    if (documents.empty()) {
        Node empty;
        empty.where = {file, 1, 1};
        return empty;
    }
    if (documents.size() > 1) {
        Diagnostics diagnostics(text);
        diagnostics.add(location_of(file, documents[1].Mark()), "more than one YAML document in the file");
        diagnostics.throw_if_any();
    }
    Converter converter(file, text);
    return converter.convert(documents.front(), 0);
}

}  // namespace calzion::tmpl
