#include "pipeline/notify.hpp"

#include <algorithm>

#include "exec/describe.hpp"
#include "util/strings.hpp"

namespace calzion::pipeline {

namespace {

constexpr size_t k_max_description = 140;  // characters, as forges accept
constexpr size_t k_sha_shown = 12;
constexpr size_t k_max_reason = 300;  // characters of why a notify failed

// States by name, so that a state added later (or a record from a newer
// calzion) maps to something: an unknown state is an error.
std::string github_state(const std::string& state) {
    if (state == "queued" || state == "pending" || state == "running") {
        return "pending";
    }
    if (state == "succeeded") {
        return "success";
    }
    if (state == "failed") {
        return "failure";
    }
    return "error";  // error, canceled, skipped, superseded, unknown
}

std::string gitlab_state(const std::string& state) {
    if (state == "queued" || state == "pending") {
        return "pending";
    }
    if (state == "running") {
        return "running";
    }
    if (state == "succeeded") {
        return "success";
    }
    if (state == "canceled" || state == "skipped" || state == "superseded") {
        return "canceled";
    }
    return "failed";  // failed, error, unknown
}

// `text` on one line: every control character a space.
std::string flattened(std::string text) {
    std::replace_if(
        text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }, ' ');
    return text;
}

// At most `limit` characters of `text`, never cut inside a UTF-8 sequence; a
// cut text ends with "…".
std::string cut(const std::string& text, size_t limit) {
    auto is_continuation = [](char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; };
    size_t characters = 0;
    size_t keep = 0;  // bytes of the first limit - 1 characters
    for (size_t at = 0; at < text.size(); ++at) {
        if (is_continuation(text[at])) {
            continue;
        }
        if (characters == limit - 1) {
            keep = at;
        }
        if (++characters > limit) {
            return text.substr(0, keep) + "\u2026";
        }
    }
    return text;
}

std::string step_description(const jobs::StepRecord& step) {
    std::string state = jobs::to_string(step.state);
    if (step.exit_code && step.state == jobs::StepState::failed) {
        return step.name + " failed with exit status " + std::to_string(*step.exit_code);
    }
    if (!step.message.empty() && step.message != state &&
        (step.state == jobs::StepState::failed || step.state == jobs::StepState::error)) {
        return step.name + " " + state + ": " + step.message;
    }
    return step.name + " " + state;
}

std::string job_description(const jobs::JobRecord& record) {
    std::string text = "job " + record.id + " " + jobs::to_string(record.state) + " at " +
                       record.commit.sha.substr(0, k_sha_shown);
    if (!record.message.empty() && (record.state == jobs::JobState::failed || record.state == jobs::JobState::error)) {
        text += ": " + record.message;
    }
    return text;
}

// A program's output or an error's text for the note: one line, not too long.
std::string reason(const std::string& text) {
    return cut(flattened(util::one_line(text)), k_max_reason);
}

}  // namespace

std::map<std::string, std::string> notify_environment(const Change& change) {
    const jobs::JobRecord& record = change.record;
    const jobs::StepRecord* step = change.step.empty() ? nullptr : record.step(change.step);
    std::string job_state = jobs::to_string(record.state);
    std::string state = job_state;
    std::string context = "calzion/" + record.instance;
    std::string description = job_description(record);
    std::map<std::string, std::string> env = {
        {"CALZION_JOB_ID", record.id},
        {"CALZION_JOB_STATE", job_state},
        {"CALZION_JOB_PREV_STATE", change.step.empty() ? change.prev_state : ""},
        {"CALZION_STEP", change.step},
        {"CALZION_STEP_STATE", ""},
        {"CALZION_STEP_EXIT_CODE", ""},
        {"CALZION_COMMIT_SHA", record.commit.sha},
        {"CALZION_COMMIT_REF", record.commit.ref},
        {"CALZION_REPO", record.commit.repo},
        {"CALZION_INSTANCE", record.instance},
        {"CALZION_HOST", change.host},
    };
    if (!change.step.empty()) {
        context += "/" + change.step;
        if (step != nullptr) {
            state = jobs::to_string(step->state);
            env["CALZION_STEP_STATE"] = state;
            env["CALZION_STEP_EXIT_CODE"] = step->exit_code ? std::to_string(*step->exit_code) : "";
            description = step_description(*step);
        } else {
            // Not in the record: nothing is known of it but its name.
            state = "error";
            description = change.step + " is not in the job's record";
        }
    }
    env["CALZION_CONTEXT"] = context;
    env["CALZION_DESCRIPTION"] = cut(flattened(description), k_max_description);
    env["CALZION_GITHUB_STATE"] = github_state(state);
    env["CALZION_GITLAB_STATE"] = gitlab_state(state);
    return env;
}

std::vector<Change> changes_between(const jobs::JobRecord& before, const jobs::JobRecord& after,
                                    const std::string& host) {
    std::vector<Change> changes;
    for (const auto& step : after.steps) {
        const jobs::StepRecord* was = before.step(step.name);
        if (was == nullptr || was->state != step.state) {
            changes.push_back({after, host, step.name, was == nullptr ? "" : jobs::to_string(was->state)});
        }
    }
    if (before.state != after.state) {
        changes.push_back({after, host, "", jobs::to_string(before.state)});
    }
    return changes;
}

void CommandNotifier::notify(const Change& change) {
    auto failed = [&](const std::string& why) {
        m_reporter.event({events::Event::Kind::note, change.host, change.step, "notify failed: " + why});
    };
    auto started = std::chrono::steady_clock::now();
    try {
        exec::Command command;
        command.argv.push_back("env");
        for (const auto& [name, value] : notify_environment(change)) {
            command.argv.push_back(name + "=" + value);
        }
        if (m_command.argv.size() == 1) {
            command.argv.insert(command.argv.end(), {"sh", "-c", m_command.argv.front()});
        } else {
            command.argv.insert(command.argv.end(), m_command.argv.begin(), m_command.argv.end());
        }
        command.input = jobs::record_to_json(change.record) + "\n";
        command.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(m_command.timeout);
        exec::Result result;
        try {
            result = m_local.run(command);
        } catch (const std::exception& error) {
            // The runner's message would show the whole environment.
            if (std::chrono::steady_clock::now() - started >= m_command.timeout) {
                failed("timed out after " + exec::seconds_text(*command.timeout) + " s");
                return;
            }
            throw;
        }
        if (result.ok()) {
            return;
        }
        std::string why = !result.signal.empty() ? "killed by SIG" + result.signal
                                                 : "exit status " + std::to_string(result.exit_code);
        if (result.err.find_first_not_of(" \t\r\n") != std::string::npos) {
            why += ": " + reason(result.err);
        }
        failed(why);
    } catch (const std::exception& error) {
        try {
            failed(reason(error.what()));
        } catch (...) {
            // Telling the user failed too: the job goes on regardless.
        }
    } catch (...) {
        // Never let a notification end a job.
    }
}

}  // namespace calzion::pipeline
