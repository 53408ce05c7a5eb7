#include "output/history.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "output/ansi.hpp"
#include "output/error_field.hpp"
#include "util/strings.hpp"

namespace calzion::output {

using nlohmann::ordered_json;

namespace {

constexpr size_t k_short = 12;  // hex digits of a digest or commit shown in the table

// Records come from the host: nothing in them may steer the terminal.
std::string shown(const std::string& text) { return util::printable(text); }

std::string by_of(const state::Revision& record) { return shown(record.user + "@" + record.machine); }

std::string short_digest(const std::string& digest) { return digest.empty() ? "-" : digest.substr(0, k_short); }

// "0123456789ab-dirty": short, but still saying whether the tree was clean.
std::string short_commit(const std::string& commit) {
    if (commit.empty()) {
        return "-";
    }
    bool dirty = commit.size() > 6 && commit.compare(commit.size() - 6, 6, "-dirty") == 0;
    return commit.substr(0, std::min(k_short, commit.size() - (dirty ? 6 : 0))) + (dirty ? "-dirty" : "");
}

std::string host_table(const deploy::HostHistory& host) {
    const state::History& history = host.history;
    size_t by_width = 2;
    for (const auto& record : history.revisions) {
        by_width = std::max(by_width, by_of(record).size());
    }
    std::string out = fmt::format("  {:<5}{:<22}{:<{}}  {:<10}{:<11}{:<14}{:<20}{}\n", "REV", "TIME", "BY", by_width,
                                  "COMMAND", "STATUS", "DIGEST", "COMMIT", "TEMPLATE");
    for (const auto& record : history.revisions) {
        const char* mark = record.revision == history.current_revision ? "*" : " ";
        out += fmt::format("{} {:<5}{:<22}{:<{}}  {:<10}{:<11}{:<14}{:<20}{}\n", mark, record.revision,
                           shown(record.time), by_of(record), by_width, shown(record.command), shown(record.status),
                           shown(short_digest(record.template_digest)), shown(short_commit(record.git_commit)),
                           record.template_file.empty() ? "-" : shown(record.template_file));
        // Messages and changes may hold several lines (a program's output): each
        // goes on its own line, under the record.
        if (!record.message.empty()) {
            out += "       " + indented_lines(record.message, "       ") + "\n";
        }
        for (const auto& change : record.changes) {
            out += "       " + indented_lines(change, "       ") + "\n";
        }
    }
    return out;
}

ordered_json text_or_null(const std::string& text) { return text.empty() ? ordered_json(nullptr) : ordered_json(text); }

ordered_json record_json(const state::Revision& record, int current) {
    return {{"revision", record.revision},
            {"current", record.revision == current},
            {"time", record.time},
            {"user", record.user},
            {"machine", record.machine},
            {"command", record.command},
            {"status", record.status},
            {"template", record.template_file},
            {"template_digest", record.template_digest},
            {"git_commit", text_or_null(record.git_commit)},
            {"message", text_or_null(record.message)},
            {"changes", record.changes}};
}

}  // namespace

std::string history_text(const std::vector<deploy::HostHistory>& histories, const std::string& instance) {
    std::string out;
    for (const auto& host : histories) {
        if (host.error) {
            out += host.host + ": error: " + host.error->message() + "\n";
        } else if (host.history.revisions.empty()) {
            out += host.host + ": " + util::quoted(instance) + " has no revisions\n";
        } else {
            out += host.host + ": " + instance + " at revision " + std::to_string(host.history.current_revision) +
                   ", " + std::to_string(host.history.revisions.size()) + " recorded\n" + host_table(host);
        }
    }
    return out;
}

std::string history_json(const std::vector<deploy::HostHistory>& histories, const std::string& instance) {
    ordered_json hosts = ordered_json::array();
    for (const auto& host : histories) {
        ordered_json revisions = ordered_json::array();
        for (const auto& record : host.history.revisions) {
            revisions.push_back(record_json(record, host.history.current_revision));
        }
        hosts.push_back({{"host", host.host},
                         {"current_revision", host.history.current_revision},
                         {"revisions", revisions},
                         {"error", error_field(host.error)}});
    }
    return ordered_json{{"instance", instance}, {"hosts", hosts}}.dump(2) + "\n";
}

}  // namespace calzion::output
