#include "tmpl/pipeline_steps.hpp"

#include <algorithm>
#include <map>

#include "tmpl/names.hpp"
#include "util/strings.hpp"

namespace calzion::tmpl {

const std::vector<std::string> k_step_keys = {"image", "env", "pre", "cmds", "post", "cmd", "docker"};

namespace {

// A mapping with the keys of `mapping` and null values: check_known_keys reads
// only keys, and this keeps a large value from being copied.
Node keys_only(const Node& mapping) {
    Node out;
    out.kind = Node::Kind::mapping;
    out.where = mapping.where;
    for (const auto& [key, value] : mapping.entries) {
        out.entries.emplace_back(key, Node{});
    }
    return out;
}

void check_keys(const Node& mapping, const std::string& what, const std::vector<std::string>& known,
                Reader& reader) {
    if (known.empty()) {
        for (const auto& [key, value] : mapping.entries) {
            if (!key.is_scalar()) {
                reader.error(key, "a key in " + what + " must be a string, not " + describe(key));
            }
        }
        return;
    }
    check_known_keys(keys_only(mapping), known, what, *reader.diagnostics());
}

// Shell lines: one string is one line, or a list of them.
std::vector<std::string> read_lines(const Node& node, const std::string& what, Reader& reader) {
    if (node.is_scalar()) {
        return {node.text};
    }
    if (!node.is_sequence()) {
        std::string expected = "a string or a list of strings";
        reader.error(node, node.is_null() ? what + " has no value: expected " + expected
                                          : what + " must be " + expected + ", not " + describe(node));
        return {};
    }
    return reader.string_list(node, what).value_or(std::vector<std::string>{});
}

}  // namespace

bool check_entries_node(const Node& node, const std::string& what, const std::string& expected, Reader& reader) {
    if (node.is_mapping() || node.is_sequence()) {
        return true;
    }
    std::string full = expected + " or a list of single-key mappings";
    reader.error(node, node.is_null() ? what + " has no value: expected " + full
                                      : what + " must be " + full + ", not " + describe(node));
    return false;
}

std::vector<PipelineEntry> pipeline_entries(const Node& node, const std::string& what,
                                            const std::vector<std::string>& known, Reader& reader) {
    std::vector<PipelineEntry> out;
    if (node.is_mapping()) {
        check_keys(node, what, known, reader);
        for (const auto& [key, value] : node.entries) {
            if (key.is_scalar()) {
                out.push_back({&key, &value});
            }
        }
        return out;
    }
    std::map<std::string, int> first_line;
    for (const auto& item : node.items) {
        if (!item.is_mapping() || item.entries.size() != 1) {
            std::string shown = !item.is_mapping()      ? describe(item)
                                 : item.entries.empty() ? "an empty mapping"
                                                        : "of " + std::to_string(item.entries.size()) + " keys";
            reader.error(item, "an item of " + what + " must be a mapping of one key, not " + shown);
            continue;
        }
        check_keys(item, what, known, reader);
        const auto& [key, value] = item.entries.front();
        if (!key.is_scalar()) {
            continue;
        }
        auto [it, inserted] = first_line.emplace(key.text, key.where.line);
        if (!inserted) {
            reader.error(key, "duplicate key " + util::quoted(key.text) + " in " + what + " (first defined on line " +
                                  std::to_string(it->second) + ")");
            continue;
        }
        out.push_back({&key, &value});
    }
    return out;
}

std::optional<bool> read_flag(const Node& node, const std::string& what, Reader& reader) {
    if (node.is_scalar() && (node.text == "true" || node.text == "false")) {
        return node.text == "true";
    }
    reader.error(node, what + " must be true or false, not " +
                           (node.is_scalar() ? util::quoted(node.text) : describe(node)));
    return std::nullopt;
}

PipelineStep read_step(const std::string& name, const std::string& what, const Node& key,
                       const std::vector<PipelineEntry>& entries, Reader& reader) {
    PipelineStep step;
    step.name = name;
    step.where = key.where;
    const Node* image = nullptr;
    const Node* cmd = nullptr;
    const Node* script = nullptr;  // the first of pre, cmds and post
    for (const auto& entry : entries) {
        const std::string& k = entry.key->text;
        const Node& value = *entry.value;
        std::string value_what = util::quoted(k) + " in " + what;
        if (k == "image") {
            image = entry.key;
            auto text = reader.string(value, value_what);
            auto problem = text ? image_reference_problem(*text) : std::nullopt;
            if (problem) {
                reader.error(value, value_what + " is not a valid image reference: " + *problem);
            } else if (text) {
                step.image = *text;
            }
        } else if (k == "env") {
            step.env = reader.env_map(value, value_what);
        } else if (k == "pre" || k == "cmds" || k == "post") {
            auto& lines = k == "pre" ? step.pre : k == "cmds" ? step.cmds : step.post;
            lines = read_lines(value, value_what, reader);
            script = script ? script : entry.key;
        } else if (k == "cmd") {
            cmd = entry.key;
            step.cmd = reader.command(value, value_what);
        } else if (k == "docker") {
            step.docker_socket = read_flag(value, value_what, reader).value_or(false);
        }
    }
    if (!image) {
        reader.error(key, what + " has no \"image\": a step runs in a container of its image");
    }
    if (cmd && script) {
        reader.error(*cmd, "\"cmd\" in " + what + " cannot be given with " + util::quoted(script->text) +
                               ": \"cmd\" is an argv run without a shell, \"pre\", \"cmds\" and \"post\" are "
                               "shell lines");
    }
    return step;
}

}  // namespace calzion::tmpl
