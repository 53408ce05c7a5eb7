#include "tmpl/pipeline.hpp"

#include <algorithm>

#include "tmpl/pipeline_steps.hpp"
#include "tmpl/reader.hpp"
#include "util/shell.hpp"
#include "util/strings.hpp"

namespace calzion::tmpl {

namespace {

const std::vector<std::string> k_pipeline_keys = {"build",    "tasks",   "release",       "keep",
                                                  "parallel", "notify", "notify_timeout"};
const std::vector<std::string> k_step_names = {"build", "tasks", "release"};
inline constexpr size_t k_max_task_name = 40;

const std::string k_step_expected = "a mapping of settings";

std::optional<std::string> task_name_problem(const std::string& name) {
    if (name == "build" || name == "release") {
        return "\"build\" and \"release\" are steps of their own";
    }
    bool valid = !name.empty() && name.size() <= k_max_task_name && name.front() >= 'a' && name.front() <= 'z' &&
                 std::all_of(name.begin(), name.end(), [](char c) {
                     return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
                 });
    if (!valid) {
        return "lowercase letters, digits, \"-\" and \"_\", starting with a letter, at most " +
               std::to_string(k_max_task_name) + " characters";
    }
    return std::nullopt;
}

std::optional<PipelineStep> read_container_step(const std::string& name, const std::string& what, const Node& key,
                                                const Node& body, Reader& reader) {
    if (!check_entries_node(body, what, k_step_expected, reader)) {
        return std::nullopt;
    }
    return read_step(name, what, key, pipeline_entries(body, what, k_step_keys, reader), reader);
}

void read_tasks(const Node& node, Pipeline& pipeline, Reader& reader) {
    if (!check_entries_node(node, "\"tasks\"", "a mapping of task names to steps", reader)) {
        return;
    }
    for (const auto& entry : pipeline_entries(node, "\"tasks\"", {}, reader)) {
        const std::string& name = entry.key->text;
        if (auto problem = task_name_problem(name)) {
            reader.error(*entry.key, "invalid task name " + util::quoted(name) + ": " + *problem);
            continue;
        }
        if (auto step = read_container_step(name, "task " + util::quoted(name), *entry.key, *entry.value, reader)) {
            pipeline.tasks.push_back(std::move(*step));
        }
    }
}

// `release:` a container step, or `{deploy: true}` alone.
void read_release(const Node& key, const Node& body, Pipeline& pipeline, Reader& reader) {
    const std::string what = "\"release\"";
    if (!check_entries_node(body, what, k_step_expected, reader)) {
        return;
    }
    std::vector<std::string> known = k_step_keys;
    known.push_back("deploy");
    auto entries = pipeline_entries(body, what, known, reader);
    auto deploy = std::find_if(entries.begin(), entries.end(), [](const auto& e) { return e.key->text == "deploy"; });
    if (deploy == entries.end()) {
        pipeline.release = read_step("release", what, key, entries, reader);
        return;
    }
    pipeline.release_deploys = read_flag(*deploy->value, "\"deploy\" in " + what, reader).value_or(false);
    auto other = std::find_if(entries.begin(), entries.end(), [](const auto& e) { return e.key->text != "deploy"; });
    if (other != entries.end()) {
        reader.error(*deploy->key, "\"deploy\" in " + what + " cannot be given with " + util::quoted(other->key->text) +
                                       ": a release deploys the template or runs a container, not both");
    }
}

// `notify:` a shell line, or a list: an argv (one program alone is quoted
// into a shell line, which is how a one-element command runs).
std::vector<std::string> read_notify(const Node& node, Reader& reader) {
    const std::string what = "\"notify\" in the pipeline";
    if (node.is_scalar()) {
        if (node.text.find_first_not_of(" \t\r\n") == std::string::npos) {
            reader.error(node, what + " is empty: give a shell command line, or leave \"notify\" out");
            return {};
        }
        return {node.text};
    }
    if (!node.is_sequence()) {
        reader.error(node, node.is_null() ? what + " has no value: expected a shell command line or an argv list"
                                          : what + " must be a shell command line or an argv list, not " +
                                                describe(node));
        return {};
    }
    auto argv = reader.string_list(node, what).value_or(std::vector<std::string>{});
    if (node.items.empty() || (!argv.empty() && argv.front().empty())) {
        reader.error(node, what + " names no program");
        return {};
    }
    if (argv.size() == 1) {
        return {util::shell_quote(argv.front())};
    }
    return argv;
}

// Read every key of the pipeline mapping; return whether a step was written
// wrong (the pipeline may then be empty without having no step).
bool read_keys(const Node& node, Pipeline& pipeline, Reader& reader) {
    Node known_only;
    known_only.kind = Node::Kind::mapping;
    known_only.where = node.where;
    for (const auto& [key, value] : node.entries) {
        if (key.is_scalar() && key.text == "services") {
            reader.error(key, "pipeline services are not supported: run them as steps, or as services of the template");
        } else {
            known_only.entries.emplace_back(key, Node{});
        }
    }
    check_known_keys(known_only, k_pipeline_keys, "the pipeline", *reader.diagnostics());
    const auto& problems = reader.diagnostics()->items();
    size_t step_problems = 0;
    for (const auto& [key, value] : node.entries) {
        if (key.text == "keep") {
            pipeline.keep = reader.integer(value, "\"keep\" in the pipeline", 1, 10000).value_or(k_default_keep_jobs);
            continue;
        }
        if (key.text == "notify") {
            pipeline.notify = read_notify(value, reader);
            continue;
        }
        if (key.text == "notify_timeout") {
            pipeline.notify_timeout = reader.integer(value, "\"notify_timeout\" in the pipeline", 1, 3600)
                                          .value_or(k_default_notify_timeout);
            continue;
        }
        if (key.text == "parallel") {
            pipeline.parallel =
                reader.integer(value, "\"parallel\" in the pipeline", 1, 64).value_or(k_default_parallel_steps);
            continue;
        }
        size_t before = problems.size();
        if (key.text == "build") {
            pipeline.build = read_container_step("build", "\"build\"", key, value, reader);
        } else if (key.text == "tasks") {
            read_tasks(value, pipeline, reader);
        } else if (key.text == "release") {
            read_release(key, value, pipeline, reader);
        }
        step_problems += problems.size() - before;
    }
    return step_problems > 0;
}

bool has_step_key(const Node& root) {
    return std::any_of(root.entries.begin(), root.entries.end(), [](const auto& entry) {
        return entry.first.is_scalar() &&
               std::find(k_step_names.begin(), k_step_names.end(), entry.first.text) != k_step_names.end();
    });
}

}  // namespace

const Node* pipeline_section(const Node& root) {
    for (const auto& [key, value] : root.entries) {
        if (key.is_scalar() && key.text == "pipeline") {
            return &value;
        }
    }
    return nullptr;
}

Pipeline parse_pipeline(const Node& node, const std::string& file, Diagnostics& diagnostics) {
    Pipeline pipeline;
    pipeline.file = file;
    pipeline.where = node.where;
    // Values are shell text, not calzion's: nothing is deferred, nothing interpolated.
    Reader reader(diagnostics, false);
    bool step_problems = false;
    if (node.is_mapping()) {
        step_problems = read_keys(node, pipeline, reader);
    } else if (!node.is_null()) {
        reader.error(node, "the pipeline must be a mapping of \"build\", \"tasks\", \"release\", \"keep\", "
                           "\"parallel\", \"notify\" and \"notify_timeout\", not " + describe(node));
        return pipeline;
    }
    // A step written wrong has been reported already: only a pipeline with none
    // at all is reported as such.
    if (pipeline.empty() && !step_problems) {
        reader.error(node, "the pipeline has no step: give it build, tasks or release");
    }
    return pipeline;
}

Pipeline load_pipeline(const std::string& file, const std::string& text) {
    Node root = load_document(file, text);
    const Node* node = pipeline_section(root);
    if (!node && root.is_mapping() && has_step_key(root)) {
        node = &root;
    }
    if (!node) {
        throw Error(ErrorKind::invalid_data, root.where, "no pipeline: the template has no \"pipeline:\" section");
    }
    Diagnostics diagnostics(text);
    check_duplicate_keys(*node, diagnostics);
    Pipeline pipeline = parse_pipeline(*node, file, diagnostics);
    diagnostics.throw_if_any();
    return pipeline;
}

}  // namespace calzion::tmpl
