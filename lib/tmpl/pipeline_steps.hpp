#pragma once

// The parts of the pipeline parser that read one step, shared by pipeline.cpp
// (the top level, tasks and release) and pipeline_steps.cpp (a step's keys).

#include <string>
#include <vector>

#include "tmpl/pipeline.hpp"
#include "tmpl/reader.hpp"

namespace calzion::tmpl {

// The keys a container step may have.
extern const std::vector<std::string> k_step_keys;

// One key and its value, wherever they were written.
struct PipelineEntry {
    const Node* key = nullptr;
    const Node* value = nullptr;
};

// The entries of `node` written as a mapping or as a list of single-key mappings,
// in order. Report keys not in `known` (unless it is empty), non-string keys, list
// items that are not single-key mappings, and a key given twice in the list (the
// caller checks duplicates within one mapping, with check_duplicate_keys). `what`
// names the node in messages; the caller has checked that it is a mapping or a list.
std::vector<PipelineEntry> pipeline_entries(const Node& node, const std::string& what,
                                            const std::vector<std::string>& known, Reader& reader);

// Whether the node is written as a mapping or as a list of single-key mappings;
// if not, report it as `what` being of the wrong type, `expected` saying what it
// should be.
bool check_entries_node(const Node& node, const std::string& what, const std::string& expected, Reader& reader);

// Read a container step named `name` (`what` in messages) out of its entries;
// `key` is where it is written.
PipelineStep read_step(const std::string& name, const std::string& what, const Node& key,
                       const std::vector<PipelineEntry>& entries, Reader& reader);

// Read a true/false scalar, reporting anything else.
std::optional<bool> read_flag(const Node& node, const std::string& what, Reader& reader);

}  // namespace calzion::tmpl
