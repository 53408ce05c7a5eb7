#include "output/outcomes.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sstream>

#include "output/ansi.hpp"
#include "output/error_field.hpp"
#include "util/shell.hpp"
#include "util/strings.hpp"

namespace calzion::output {

using nlohmann::ordered_json;

namespace {

const char* sign_of(plan::ActionKind kind) {
    switch (kind) {
    case plan::ActionKind::create: return "+";
    case plan::ActionKind::replace: return "~";
    case plan::ActionKind::remove: return "-";
    case plan::ActionKind::keep: return "!";
    case plan::ActionKind::unchanged: return "=";
    }
    return "?";
}

// The colour of a plan action: only what deploy would change stands out.
std::optional<Color> tint_of(plan::ActionKind kind) {
    switch (kind) {
    case plan::ActionKind::create: return Color::green;
    case plan::ActionKind::replace: return Color::yellow;
    case plan::ActionKind::remove: return Color::red;
    case plan::ActionKind::keep:
    case plan::ActionKind::unchanged: return std::nullopt;
    }
    return std::nullopt;
}

std::string paint_action(const std::string& text, plan::ActionKind kind, bool color) {
    std::optional<Color> tint = tint_of(kind);
    return tint ? paint(text, *tint, color) : text;
}

Color state_tint(const std::string& state) {
    return state == "running" ? Color::green : state == "missing" || state == "dead" ? Color::red : Color::yellow;
}

Color health_tint(const std::string& health) {
    return health == "healthy" ? Color::green : health == "unhealthy" ? Color::red : Color::yellow;
}

// The init commands deploy would run after the action: none once they have run.
std::vector<std::vector<std::string>> init_pending(const plan::Action& action) {
    return action.init && action.desired ? action.desired->init : std::vector<std::vector<std::string>>{};
}

// "last deploy failed: readiness of web timed out".
std::string last_failure_text(const deploy::LastFailure& failure) {
    return "last " + failure.command + " failed" + (failure.message.empty() ? "" : ": " + failure.message);
}

ordered_json last_failure_json(const deploy::LastFailure& failure) {
    if (failure.command.empty()) {
        return nullptr;
    }
    return {{"command", failure.command}, {"message", failure.message}};
}

size_t name_width(const plan::Plan& plan) {
    size_t width = 7;
    for (const auto& action : plan.actions) {
        width = std::max(width, action.service.size());
    }
    return width;
}

}  // namespace

std::string plan_text(const std::vector<deploy::HostOutcome>& outcomes, const std::string& instance, bool color) {
    std::ostringstream out;
    for (const auto& outcome : outcomes) {
        if (outcome.error) {
            out << outcome.host << ": " << paint("cannot plan:", Color::red, color) << " "
                << outcome.error->message() << "\n";
            continue;
        }
        out << outcome.host << ": " << instance << " at revision " << outcome.revision_before;
        out << (outcome.plan.has_changes() ? " -> " + std::to_string(outcome.revision_after) : ", no changes") << "\n";
        size_t width = name_width(outcome.plan);
        for (const auto& action : outcome.plan.actions) {
            out << fmt::format("  {} {:<{}}  {}: {}", paint_action(sign_of(action.kind), action.kind, color),
                               action.service, width, paint_action(plan::to_string(action.kind), action.kind, color),
                               action.reason);
            if (!action.changed_fields.empty()) {
                out << " (" << util::comma_list(action.changed_fields) << ")";
            }
            out << "\n";
            for (const auto& command : init_pending(action)) {
                out << fmt::format("    {:<{}}  then init: {}\n", "", width, util::shell_join(command));
            }
        }
    }
    return out.str();
}

std::string outcomes_json(const std::vector<deploy::HostOutcome>& outcomes, const std::string& instance) {
    ordered_json hosts = ordered_json::array();
    bool changes = false;
    for (const auto& outcome : outcomes) {
        ordered_json actions = ordered_json::array();
        for (const auto& action : outcome.plan.actions) {
            actions.push_back({{"service", action.service},
                               {"action", plan::to_string(action.kind)},
                               {"reason", action.reason},
                               {"changed_fields", action.changed_fields},
                               {"init", init_pending(action)}});
        }
        changes = changes || outcome.plan.has_changes();
        hosts.push_back({{"host", outcome.host},
                         {"revision_before", outcome.revision_before},
                         {"revision_after", outcome.revision_after},
                         {"changes", outcome.plan.has_changes()},
                         {"actions", actions},
                         {"error", error_field(outcome.error)}});
    }
    return ordered_json{{"instance", instance}, {"changes", changes}, {"hosts", hosts}}.dump(2) + "\n";
}

namespace {

// The entries of what exec::DryRunRunner printed: a line break ends one only
// outside single quotes (shell_quote writes no other quoting).
std::vector<std::string> dry_run_entries(const std::string& printed) {
    std::vector<std::string> entries;
    std::string current;
    bool quoted = false;
    for (size_t i = 0; i < printed.size(); ++i) {
        char c = printed[i];
        if (c == '\n' && !quoted) {
            entries.push_back(current);
            current.clear();
            continue;
        }
        if (c == '\'') {
            quoted = !quoted;
        } else if (c == '\\' && !quoted && i + 1 < printed.size()) {
            current += c;
            c = printed[++i];
        }
        current += c;
    }
    if (!current.empty()) {
        entries.push_back(current);
    }
    return entries;
}

}  // namespace

std::string dry_run_json(const std::vector<deploy::HostOutcome>& outcomes, const std::string& instance,
                         const std::string& printed) {
    ordered_json commands = ordered_json::array();
    for (const auto& entry : dry_run_entries(printed)) {
        size_t colon = entry.find(": ");
        if (colon == std::string::npos) {
            continue;
        }
        commands.push_back({{"host", entry.substr(0, colon)}, {"command", entry.substr(colon + 2)}});
    }
    ordered_json document = ordered_json::parse(outcomes_json(outcomes, instance));
    ordered_json out = {{"instance", document["instance"]},
                        {"dry_run", true},
                        {"changes", document["changes"]},
                        {"commands", commands},
                        {"hosts", document["hosts"]}};
    return out.dump(2) + "\n";
}

// "  3/3 on host1 (1), host2 (2)" for a Swarm service; "" for a container.
std::string replicas_text(const deploy::ServiceStatus& service) {
    if (service.replicas < 0) {
        return "";
    }
    int running = 0;
    std::string nodes;
    for (const auto& [node, count] : service.running_on) {
        running += count;
        nodes += (nodes.empty() ? "" : ", ") + node + " (" + std::to_string(count) + ")";
    }
    return fmt::format("  {}/{}{}", running, service.replicas, nodes.empty() ? "" : " on " + nodes);
}

ordered_json replicas_json(const deploy::ServiceStatus& service) {
    if (service.replicas < 0) {
        return nullptr;
    }
    int running = 0;
    for (const auto& [node, count] : service.running_on) {
        running += count;
    }
    return {{"wanted", service.replicas},
            {"running", running},
            {"nodes", service.running_on},
            {"tasks", service.task_notes}};
}

std::string status_text(const std::vector<deploy::InstanceStatus>& statuses, bool color) {
    std::ostringstream out;
    for (const auto& status : statuses) {
        if (status.error) {
            out << status.host << ": " << paint(status.error->message(), Color::red, color) << "\n";
            continue;
        }
        if (status.missing) {
            out << status.host << ": no instance " << util::quoted(status.instance) << "\n";
            continue;
        }
        out << status.host << ": " << status.instance << " at revision " << status.revision;
        out << (status.lock_owner.empty() ? "" : " (locked)") << "\n";
        if (!status.last_failure.command.empty()) {
            out << "  " << paint(last_failure_text(status.last_failure), Color::red, color) << "\n";
        }
        for (const auto& service : status.services) {
            std::string health = service.health.empty()
                                     ? fmt::format("{:<10}", "-")
                                     : paint_padded(service.health, 10, health_tint(service.health), color);
            std::string drift =
                service.drift.empty() ? "" : "  " + paint("drift: " + service.drift, Color::yellow, color);
            out << fmt::format("  {:<16} {} {} rev {}{}{}\n", service.service,
                               paint_padded(service.state, 10, state_tint(service.state), color), health,
                               service.revision, replicas_text(service), drift);
            for (const auto& note : service.task_notes) {
                out << "    " << paint(note, Color::yellow, color) << "\n";
            }
        }
    }
    return out.str();
}

std::string status_json(const std::vector<deploy::InstanceStatus>& statuses) {
    ordered_json items = ordered_json::array();
    ordered_json hosts = ordered_json::array();
    for (const auto& status : statuses) {
        if (hosts.empty() || hosts.back()["host"] != status.host) {
            hosts.push_back({{"host", status.host}, {"error", nullptr}});
        }
        if (status.error) {
            hosts.back()["error"] = error_field(status.error);
            continue;
        }
        if (status.missing) {
            continue;
        }
        ordered_json services = ordered_json::array();
        for (const auto& service : status.services) {
            services.push_back({{"service", service.service},
                                {"container", service.container},
                                {"revision", service.revision},
                                {"state", service.state},
                                {"health", service.health},
                                {"drift", service.drift.empty() ? ordered_json(nullptr) : ordered_json(service.drift)},
                                {"replicas", replicas_json(service)}});
        }
        items.push_back({{"host", status.host},
                         {"instance", status.instance},
                         {"revision", status.revision},
                         {"locked", !status.lock_owner.empty()},
                         {"last_failure", last_failure_json(status.last_failure)},
                         {"services", services}});
    }
    return ordered_json{{"instances", items}, {"hosts", hosts}}.dump(2) + "\n";
}

std::string list_text(const std::vector<deploy::HostListing>& listings) {
    // Columns at least as wide as the longest host and instance name, so that
    // long ones never run into the next column.
    size_t host_width = 14;
    size_t instance_width = 22;
    for (const auto& listing : listings) {
        host_width = std::max(host_width, listing.host.size());
        for (const auto& item : listing.instances) {
            instance_width = std::max(instance_width, item.instance.size());
        }
    }
    size_t host_column = host_width + 2;
    size_t instance_column = instance_width + 2;
    std::ostringstream out;
    out << fmt::format("{:<{}}{:<{}}{:<10}{:<22}BY\n", "HOST", host_column, "INSTANCE", instance_column, "REVISION",
                       "DEPLOYED");
    for (const auto& listing : listings) {
        if (listing.error) {
            out << fmt::format("{:<{}}error: {}\n", listing.host, host_column, listing.error->message());
        }
        for (const auto& item : listing.instances) {
            out << fmt::format("{:<{}}{:<{}}{:<10}{:<22}{}@{}{}\n", item.host, host_column, item.instance,
                               instance_column, item.revision, item.time, item.user, item.machine,
                               item.status == "failed" ? " (last deploy failed)" : "");
        }
    }
    return out.str();
}

std::string list_json(const std::vector<deploy::HostListing>& listings) {
    ordered_json items = ordered_json::array();
    ordered_json hosts = ordered_json::array();
    for (const auto& listing : listings) {
        hosts.push_back({{"host", listing.host}, {"error", error_field(listing.error)}});
        for (const auto& item : listing.instances) {
            items.push_back({{"host", item.host},
                             {"instance", item.instance},
                             {"revision", item.revision},
                             {"time", item.time},
                             {"user", item.user},
                             {"machine", item.machine},
                             {"status", item.status}});
        }
    }
    return ordered_json{{"instances", items}, {"hosts", hosts}}.dump(2) + "\n";
}

}  // namespace calzion::output
