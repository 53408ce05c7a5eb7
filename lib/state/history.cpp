#include "state/history.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "exec/script_status.hpp"
#include "render/deployment_json.hpp"
#include "state/scripts.hpp"
#include "state/sections.hpp"
#include "tmpl/names.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace calzion::state {

using nlohmann::json;

namespace {

std::string text_in(const json& document, const char* key) {
    const auto found = document.find(key);
    return found != document.end() && found->is_string() ? found->get<std::string>() : std::string();
}

std::vector<std::string> lines_in(const json& document, const char* key) {
    std::vector<std::string> lines;
    const auto found = document.find(key);
    if (found != document.end() && found->is_array()) {
        for (const auto& item : *found) {
            if (item.is_string()) {
                lines.push_back(item.get<std::string>());
            }
        }
    }
    return lines;
}

// Descriptive fields written by older calzions may be missing: they read as empty.
// The deployment must be there: without it the revision cannot be rolled back to.
RevisionRecord record_of(int revision, const std::string& text, const std::string& host) {
    json document = json::parse(text, nullptr, false);
    if (!document.is_object() || !document.contains("deployment") || !document["deployment"].is_object()) {
        throw Error(ErrorKind::invalid_data, "the record of revision " + std::to_string(revision) + " on " +
                                                 util::quoted(host) + " cannot be read: it is not a revision document");
    }
    RevisionRecord record;
    record.revision = revision;
    record.time = text_in(document, "time");
    record.user = text_in(document, "user");
    record.machine = text_in(document, "machine");
    record.command = text_in(document, "command");
    record.status = text_in(document, "status");
    record.template_file = text_in(document, "template");
    record.template_digest = text_in(document, "template_digest");
    record.git_commit = text_in(document, "git_commit");
    record.message = text_in(document, "message");
    record.changes = lines_in(document, "changes");
    record.deployment_json = document["deployment"].dump();
    return record;
}

}  // namespace

const RevisionRecord* History::find(int revision) const {
    auto it = std::find_if(revisions.begin(), revisions.end(),
                           [&](const RevisionRecord& record) { return record.revision == revision; });
    return it == revisions.end() ? nullptr : &*it;
}

History parse_history(const std::string& output, const std::string& host) {
    auto sections = sections_of(output);
    if (!sections.count("end")) {
        throw Error(ErrorKind::operation_failed, "the history on the host could not be read");
    }
    History history;
    history.state_dir = trimmed(sections["state_dir"]);
    state_format_in(sections["format"], history.state_dir);
    history.current_revision = std::max(0, number_in(sections["current"]));
    for (const auto& [name, text] : sections) {
        // Files in revisions/ that are not named after a number are not revisions.
        int revision = util::starts_with(name, "revision ") ? number_in(name.substr(9)) : -1;
        if (revision > 0) {
            history.revisions.push_back(record_of(revision, text, host));
        }
    }
    std::sort(history.revisions.begin(), history.revisions.end(),
              [](const RevisionRecord& a, const RevisionRecord& b) { return a.revision > b.revision; });
    return history;
}

History read_history(exec::Runner& runner, const std::string& state_dir, const std::string& instance) {
    tmpl::check_instance_name(instance);
    exec::Result result = runner.run({history_argv(state_dir, instance), "", std::nullopt, nullptr});
    if (!result.ok()) {
        std::string detail = trimmed(result.err.empty() ? "exit " + std::to_string(result.exit_code) : result.err);
        throw Error(result.exit_code == exec::k_status_denied ? ErrorKind::permission : ErrorKind::operation_failed,
                    "cannot read the history on the host: " + detail);
    }
    return parse_history(result.out, runner.host());
}

render::Deployment recorded_deployment(const RevisionRecord& record) {
    try {
        return render::deployment_from_json(json::parse(record.deployment_json));
    } catch (const Error& error) {
        throw Error(ErrorKind::invalid_data,
                    "revision " + std::to_string(record.revision) + " cannot be run again: " + error.message());
    } catch (const json::exception& error) {
        throw Error(ErrorKind::invalid_data,
                    "revision " + std::to_string(record.revision) + " cannot be run again: " + error.what());
    }
}

}  // namespace calzion::state
