#include "output/operations.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sstream>

#include "output/error_field.hpp"
#include "util/strings.hpp"

namespace calzion::output {

using nlohmann::ordered_json;

namespace {

ordered_json number_or_null(const std::string& digits) {
    bool number = !digits.empty() && digits.size() < 10 && digits.find_first_not_of("0123456789") == std::string::npos;
    return number ? ordered_json(std::stol(digits)) : ordered_json(nullptr);
}

std::string process_of(const state::LockHolder& holder) {
    return holder.host_pid.empty() ? "no process of it is recorded on the host"
                                   : "its process " + holder.host_pid + " on the host";
}

// What a held lock's line says after the holder.
std::string liveness_text(const state::LockHolder& holder, const std::string& instance) {
    switch (holder.liveness) {
    case state::Liveness::alive: return process_of(holder) + " is running";
    case state::Liveness::gone:
        return (holder.host_pid.empty() ? process_of(holder) : process_of(holder) + " is gone") +
               ": the lock is stale, calzion lock --break " + instance + " removes it";
    case state::Liveness::unknown: return "whether " + process_of(holder) + " runs cannot be told (no /proc)";
    }
    return "";
}

std::string lock_line(const deploy::HostLock& lock, const std::string& instance) {
    if (lock.error) {
        return lock.host + ": " + lock.error->message();
    }
    const state::LockHolder& holder = lock.lock.holder;
    if (lock.broken) {
        return lock.host + ": broke the lock of " + util::quoted(instance) + " held by " + state::describe(holder);
    }
    if (!lock.lock.held) {
        return lock.host + ": " + util::quoted(instance) + " is not locked";
    }
    return lock.host + ": " + util::quoted(instance) + " is locked by " + state::describe(holder) + "; " +
           liveness_text(holder, instance);
}

ordered_json holder_json(const state::LockInfo& lock) {
    if (!lock.held) {
        return nullptr;
    }
    const state::LockHolder& holder = lock.holder;
    ordered_json running = holder.liveness == state::Liveness::unknown
                               ? ordered_json(nullptr)
                               : ordered_json(holder.liveness == state::Liveness::alive);
    return ordered_json{{"user", holder.user},          {"machine", holder.machine},
                        {"command", holder.command},    {"since", holder.since},
                        {"pid", holder.client_pid},     {"host_pid", number_or_null(holder.host_pid)},
                        {"running", running}};
}

std::string connection_text(const deploy::HostCheck& check) {
    if (!check.reached) {
        return "failed";
    }
    return check.local ? "local" : "ssh, host key verified";
}

std::string docker_text(const deploy::HostCheck& check) {
    if (!check.reached) {
        return "-";
    }
    const docker::Versions& versions = check.probe.docker;
    return (versions.client.empty() ? "?" : versions.client) + " / " +
           (versions.server.empty() ? "no answer" : versions.server);
}

std::string state_dir_text(const deploy::HostCheck& check) {
    if (!check.reached) {
        return "-";
    }
    const docker::HostProbe& probe = check.probe;
    const char* how = probe.state_dir_exists ? (probe.state_dir_writable ? "writable" : "not writable")
                                             : (probe.state_dir_writable ? "to be created" : "cannot be created");
    return probe.state_dir + " (" + how + ")";
}

std::vector<std::string> check_row(const deploy::HostCheck& check) {
    const docker::HostProbe& probe = check.probe;
    bool known = check.reached;
    return {check.host,
            connection_text(check),
            known ? probe.user : "-",
            docker_text(check),
            state_dir_text(check),
            known && probe.format > 0 ? std::to_string(probe.format) : "-",
            known && probe.free_bytes ? human_bytes(*probe.free_bytes) : "-",
            check.problems.empty() ? "ok" : "problem"};
}

std::string table(const std::vector<std::vector<std::string>>& rows) {
    std::vector<size_t> widths(rows.front().size(), 0);
    for (const auto& row : rows) {
        for (size_t i = 0; i < row.size(); ++i) {
            widths[i] = std::max(widths[i], row[i].size());
        }
    }
    std::string out;
    for (const auto& row : rows) {
        std::string line;
        for (size_t i = 0; i < row.size(); ++i) {
            line += i + 1 < row.size() ? fmt::format("{:<{}}  ", row[i], widths[i]) : row[i];
        }
        out += line + "\n";
    }
    return out;
}

ordered_json check_json(const deploy::HostCheck& check) {
    const docker::HostProbe& probe = check.probe;
    ordered_json problems = ordered_json::array();
    for (const auto& problem : check.problems) {
        problems.push_back(error_field(problem));
    }
    ordered_json docker = nullptr;
    ordered_json state_dir = nullptr;
    if (check.reached) {
        auto text_or_null = [](const std::string& text) {
            return text.empty() ? ordered_json(nullptr) : ordered_json(text);
        };
        docker = {{"client", text_or_null(probe.docker.client)},
                  {"engine", text_or_null(probe.docker.server)},
                  {"engine_api", text_or_null(probe.docker.server_api)}};
        state_dir = {{"path", probe.state_dir},
                     {"exists", probe.state_dir_exists},
                     {"writable", probe.state_dir_writable},
                     {"format", probe.format},
                     {"free_bytes", probe.free_bytes ? ordered_json(*probe.free_bytes) : ordered_json(nullptr)}};
    }
    return {{"host", check.host},
            {"connection", check.local ? "local" : "ssh"},
            {"reached", check.reached},
            {"host_key", check.reached && !check.local ? ordered_json("verified") : ordered_json(nullptr)},
            {"user", check.reached ? ordered_json(probe.user) : ordered_json(nullptr)},
            {"docker", docker},
            {"state_dir", state_dir},
            {"ok", check.problems.empty()},
            {"problems", problems},
            {"error", error_field(check.error)}};
}

}  // namespace

std::string lifecycle_json(const std::vector<deploy::LifecycleOutcome>& outcomes, const std::string& instance,
                           deploy::Lifecycle action) {
    ordered_json hosts = ordered_json::array();
    for (const auto& outcome : outcomes) {
        ordered_json services = ordered_json::array();
        for (const auto& change : outcome.changes) {
            services.push_back({{"service", change.service}, {"change", change.change}});
        }
        hosts.push_back({{"host", outcome.host}, {"services", services}, {"error", error_field(outcome.error)}});
    }
    return ordered_json{{"instance", instance}, {"command", deploy::to_string(action)}, {"hosts", hosts}}.dump(2) +
           "\n";
}

std::string lock_text(const std::vector<deploy::HostLock>& locks, const std::string& instance) {
    std::string out;
    for (const auto& lock : locks) {
        out += lock_line(lock, instance) + "\n";
    }
    return out;
}

std::string lock_json(const std::vector<deploy::HostLock>& locks, const std::string& instance) {
    ordered_json hosts = ordered_json::array();
    for (const auto& lock : locks) {
        hosts.push_back({{"host", lock.host},
                         {"locked", lock.lock.held && !lock.broken},
                         {"holder", holder_json(lock.lock)},
                         {"stale", lock.lock.held && lock.lock.holder.liveness == state::Liveness::gone},
                         {"broken", lock.broken},
                         {"error", error_field(lock.error)}});
    }
    return ordered_json{{"instance", instance}, {"hosts", hosts}}.dump(2) + "\n";
}

std::string hosts_check_text(const std::vector<deploy::HostCheck>& checks) {
    std::vector<std::vector<std::string>> rows = {
        {"HOST", "CONNECTION", "USER", "DOCKER CLIENT / ENGINE", "STATE DIR", "FORMAT", "FREE", "CHECK"}};
    for (const auto& check : checks) {
        rows.push_back(check_row(check));
    }
    std::string out = table(rows);
    for (const auto& check : checks) {
        for (const auto& problem : check.problems) {
            out += check.host + ": " + problem.message() + "\n";
        }
    }
    return out;
}

std::string hosts_check_json(const std::vector<deploy::HostCheck>& checks) {
    ordered_json hosts = ordered_json::array();
    for (const auto& check : checks) {
        hosts.push_back(check_json(check));
    }
    return ordered_json{{"hosts", hosts}}.dump(2) + "\n";
}

std::string human_bytes(long long bytes) {
    const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    double value = static_cast<double>(bytes);
    size_t unit = 0;
    while (value >= 1024 && unit + 1 < std::size(units)) {
        value /= 1024;
        ++unit;
    }
    return unit == 0 ? fmt::format("{} B", bytes) : fmt::format("{:.1f} {}", value, units[unit]);
}

}  // namespace calzion::output
