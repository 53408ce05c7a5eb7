#include "output/jobs.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sstream>

#include "output/ansi.hpp"
#include "output/error_field.hpp"

namespace calzion::output {

namespace {

using nlohmann::ordered_json;

Color tint(jobs::JobState state) {
    switch (state) {
    case jobs::JobState::succeeded: return Color::green;
    case jobs::JobState::failed:
    case jobs::JobState::error: return Color::red;
    default: return Color::yellow;
    }
}

std::string step_word(const jobs::StepRecord& step) {
    switch (step.state) {
    case jobs::StepState::succeeded: return "ok";
    case jobs::StepState::failed:
        return step.exit_code ? "failed (exit " + std::to_string(*step.exit_code) + ")" : "failed";
    default: return jobs::to_string(step.state);
    }
}

std::string shown(const std::string& text) { return text.empty() ? "-" : text; }

// The envelope's "hosts" of a command that worked on one host.
ordered_json one_host(const std::string& host, const std::optional<Error>& error = std::nullopt) {
    return ordered_json::array({{{"host", host}, {"error", error_field(error)}}});
}

ordered_json record_json(const jobs::JobRecord& record) {
    return ordered_json::parse(jobs::record_to_json(record));
}

}  // namespace

std::string steps_summary(const jobs::JobRecord& record) {
    std::string text;
    for (const auto& step : record.steps) {
        text += (text.empty() ? "" : ", ") + step.name + " " + step_word(step);
    }
    return text;
}

std::string jobs_text(const std::vector<pipeline::HostJobs>& hosts, bool color) {
    std::ostringstream out;
    for (const auto& host : hosts) {
        if (host.error) {
            out << host.host << ": " << paint(host.error->message(), Color::red, color) << "\n";
            continue;
        }
        for (const auto& job : host.jobs) {
            const jobs::JobRecord& record = job.record;
            out << fmt::format("{:<10} {:<24} {} {:<12} {:<16} {:<20} {}\n", host.host, record.id,
                               paint_padded(jobs::to_string(record.state), 10, tint(record.state), color),
                               record.commit.sha.substr(0, 12), shown(record.commit.ref), shown(record.started),
                               steps_summary(record));
        }
    }
    return out.str();
}

std::string jobs_json(const std::vector<pipeline::HostJobs>& hosts) {
    ordered_json items = ordered_json::array();
    ordered_json states = ordered_json::array();
    for (const auto& host : hosts) {
        states.push_back({{"host", host.host}, {"error", error_field(host.error)}});
        for (const auto& job : host.jobs) {
            ordered_json item = {{"host", host.host}};
            item.update(record_json(job.record));
            items.push_back(item);
        }
    }
    return ordered_json{{"jobs", items}, {"hosts", states}}.dump(2) + "\n";
}

std::string job_text(const std::string& host, const jobs::JobRecord& record, bool color) {
    std::ostringstream out;
    out << "job " << record.id << " on " << host << ": "
        << paint(jobs::to_string(record.state), tint(record.state), color) << "\n";
    out << "  commit   " << record.commit.sha << " (" << record.commit.ref << ") " << record.commit.message << "\n";
    out << "  repo     " << record.commit.repo << "\n";
    out << "  pipeline " << shown(record.pipeline_file) << "\n";
    out << "  started  " << shown(record.started) << "   finished " << shown(record.finished) << "\n";
    out << "  worker   " << record.worker.user << "@" << record.worker.machine << " (pid " << record.worker.calzion_pid
        << "; on " << record.worker.host << " pid " << record.worker.pid << ")\n";
    if (record.revision) {
        out << "  revision " << *record.revision << "\n";
    }
    if (!record.message.empty()) {
        out << "  " << paint(record.message, Color::red, color) << "\n";
    }
    for (const auto& step : record.steps) {
        std::string line = fmt::format("  {:<16} {:<8} {:<22} {:<20} {}", step.name, step.kind, step_word(step),
                                       shown(step.image), step.message);
        out << line.substr(0, line.find_last_not_of(' ') + 1) << "\n";
    }
    return out.str();
}

std::string job_json(const std::string& host, const jobs::JobRecord& record, const std::optional<Error>& error) {
    return ordered_json{{"host", host}, {"job", record_json(record)}, {"hosts", one_host(host, error)}}.dump(2) + "\n";
}

std::string job_log_json(const std::string& host, const std::string& id, const std::string& step,
                         const std::string& log) {
    return ordered_json{{"host", host},
                        {"id", id},
                        {"step", step.empty() ? ordered_json(nullptr) : ordered_json(step)},
                        {"log", log},
                        {"hosts", one_host(host)}}
               .dump(2) +
           "\n";
}

std::string shipped_json(const Shipped& shipped, const std::optional<Error>& error) {
    ordered_json ran = ordered_json::array();
    for (const auto& record : shipped.ran) {
        ran.push_back(record_json(record));
    }
    bool done = shipped.job && (shipped.job->state == jobs::JobState::succeeded ||
                                shipped.job->state == jobs::JobState::superseded);
    return ordered_json{{"host", shipped.host},
                        {"instance", shipped.instance},
                        {"shipped", done},
                        {"reason", shipped.reason.empty() ? ordered_json(nullptr) : ordered_json(shipped.reason)},
                        {"job", shipped.job ? record_json(*shipped.job) : ordered_json(nullptr)},
                        {"ran", ran},
                        {"hosts", one_host(shipped.host, error)}}
               .dump(2) +
           "\n";
}

std::string worked_json(const std::vector<WorkedHost>& hosts) {
    ordered_json items = ordered_json::array();
    ordered_json states = ordered_json::array();
    for (const auto& host : hosts) {
        states.push_back({{"host", host.host}, {"error", error_field(host.error)}});
        for (const auto& worked : host.worked) {
            for (const auto& outcome : worked.jobs) {
                ordered_json item = {{"host", host.host}};
                item.update(record_json(outcome.record));
                items.push_back(item);
            }
        }
    }
    return ordered_json{{"jobs", items}, {"hosts", states}}.dump(2) + "\n";
}

std::string pipeline_valid_json(const std::string& file) {
    return ordered_json{{"file", file}, {"valid", true}}.dump(2) + "\n";
}

}  // namespace calzion::output
