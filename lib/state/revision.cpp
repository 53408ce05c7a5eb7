// The one reader and the one writer of the revision documents a host keeps.
// Wherever a revision is read (deploy, status, history, rollback, the router),
// a document that is not JSON, holds a field this calzion does not know or a
// value of the wrong type is an error naming the host and the file, never
// skipped. Fields an older calzion did not write read as empty; a service
// lacking fields can be compared with, and is refused only when run again.

#include "state/revision.hpp"

#include <nlohmann/json.hpp>

#include "render/deployment_json.hpp"
#include "state/host_state.hpp"
#include "state/scripts.hpp"
#include "util/strings.hpp"

namespace calzion::state {

using nlohmann::json;

namespace {

// Reads the descriptive fields of a revision document: a missing one (an older
// calzion did not write it) reads as empty, one of the wrong type is an error.
class FieldReader {
public:
    FieldReader(const json& document, const std::string& host, const std::string& file)
        : m_document(document), m_host(host), m_file(file) {}

    std::string text(const char* key) const {
        const json* value = find(key);
        if (value != nullptr && !value->is_string()) {
            throw unreadable_revision(m_host, m_file, util::quoted(key) + " must be a string");
        }
        return value != nullptr ? value->get<std::string>() : std::string();
    }

    int number(const char* key) const {
        const json* value = find(key);
        if (value != nullptr && (!value->is_number_integer() || value->get<long long>() < 0 ||
                                 value->get<long long>() > 1'000'000'000)) {
            throw unreadable_revision(m_host, m_file, util::quoted(key) + " must be a whole number from 0 to 1000000000");
        }
        return value != nullptr ? value->get<int>() : 0;
    }

    std::vector<std::string> lines(const char* key) const {
        const json* value = find(key);
        std::vector<std::string> lines;
        if (value == nullptr) {
            return lines;
        }
        if (!value->is_array()) {
            throw unreadable_revision(m_host, m_file, util::quoted(key) + " must be a list of strings");
        }
        for (const auto& item : *value) {
            if (!item.is_string()) {
                throw unreadable_revision(m_host, m_file, util::quoted(key) + " must be a list of strings");
            }
            lines.push_back(item.get<std::string>());
        }
        return lines;
    }

private:
    const json* find(const char* key) const {
        auto found = m_document.find(key);
        return found == m_document.end() ? nullptr : &*found;
    }

    const json& m_document;
    const std::string& m_host;
    const std::string& m_file;
};

const std::set<std::string> k_fields = {"format",     "revision", "status",  "command", "time",
                                        "user",       "machine",  "template", "template_digest",
                                        "git_commit", "message",  "changes", "deployment"};

}  // namespace

std::string revision_file(const std::string& instance_dir, int revision) {
    return instance_dir + "/revisions/" + std::to_string(revision) + ".json";
}

Error unreadable_revision(const std::string& host, const std::string& file, const std::string& problem) {
    return Error(ErrorKind::invalid_data,
                 "the revision file " + util::quoted(file) + " on " + util::quoted(host) + " cannot be read: " + problem);
}

Revision parse_revision(const std::string& text, const std::string& host, const std::string& file) {
    json document = json::parse(text, nullptr, false);
    if (!document.is_object() || !document.contains("deployment") || !document["deployment"].is_object()) {
        throw unreadable_revision(host, file, "it is not a revision document");
    }
    for (const auto& [key, value] : document.items()) {
        if (!k_fields.count(key)) {
            throw unreadable_revision(host, file, util::quoted(key) + " is not a field this calzion knows");
        }
    }
    FieldReader fields(document, host, file);
    fields.number("format");
    Revision revision;
    revision.revision = fields.number("revision");
    revision.time = fields.text("time");
    revision.user = fields.text("user");
    revision.machine = fields.text("machine");
    revision.command = fields.text("command");
    revision.status = fields.text("status");
    revision.template_file = fields.text("template");
    revision.template_digest = fields.text("template_digest");
    revision.git_commit = fields.text("git_commit");
    revision.message = fields.text("message");
    revision.changes = fields.lines("changes");
    try {
        revision.deployment = render::recorded_deployment_from_json(document["deployment"]);
    } catch (const Error& error) {
        throw unreadable_revision(host, file, error.message());
    }
    return revision;
}

render::Deployment runnable_deployment(const Revision& revision) {
    try {
        render::check_complete(revision.deployment);
    } catch (const Error& error) {
        throw Error(ErrorKind::invalid_data,
                    "revision " + std::to_string(revision.revision) + " cannot be run again: " + error.message());
    }
    return revision.deployment;
}

std::string revision_to_json(const Revision& revision) {
    // Keys sorted (json, not ordered_json), the deployment's too.
    json document = {{"format", k_state_format},
                     {"revision", revision.revision},
                     {"status", revision.status},
                     {"command", revision.command},
                     {"time", revision.time},
                     {"user", revision.user},
                     {"machine", revision.machine},
                     {"template", revision.template_file},
                     {"template_digest", revision.template_digest},
                     {"git_commit", revision.git_commit},
                     {"message", revision.message},
                     {"changes", revision.changes},
                     {"deployment", json::parse(render::deployment_to_json(revision.deployment).dump())}};
    return document.dump();
}

render::Deployment actual_deployment(const render::Deployment& next, const std::set<std::string>& current,
                                     const std::set<std::string>& kept, const HostState& observed) {
    render::Deployment actual;
    actual.instance = next.instance;
    actual.network = next.network;
    actual.revision = next.revision;
    auto recorded = [&](const std::string& name) {
        return observed.revision ? observed.revision->deployment.find(name) : nullptr;
    };
    for (const auto& service : next.services) {
        if (current.count(service.name)) {
            actual.services.push_back(service);
        } else if (const auto* old = recorded(service.name)) {
            actual.services.push_back(*old);
        }
    }
    for (const auto& name : kept) {
        if (const auto* old = recorded(name)) {
            actual.services.push_back(*old);
        }
    }
    return actual;
}

RevisionOutcome current_outcome(const HostState& observed) {
    if (!observed.revision) {
        return {};
    }
    return {observed.revision->command, observed.revision->status, observed.revision->message};
}

}  // namespace calzion::state
