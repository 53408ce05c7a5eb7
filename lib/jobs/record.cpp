#include "jobs/record.hpp"

#include <nlohmann/json.hpp>

#include "tmpl/names.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace calzion::jobs {

using nlohmann::json;

namespace {

constexpr const char* k_job_states[] = {"queued", "running", "succeeded", "failed", "error", "canceled"};
constexpr const char* k_step_states[] = {"pending", "running", "succeeded", "failed", "skipped", "canceled", "error"};

template <typename State, size_t N>
State state_from(const std::string& text, const char* const (&names)[N], const char* what) {
    for (size_t at = 0; at < N; ++at) {
        if (text == names[at]) {
            return static_cast<State>(at);
        }
    }
    throw Error(ErrorKind::invalid_data, "unknown " + std::string(what) + " state " + util::quoted(text));
}

json optional_int(const std::optional<int>& value) { return value ? json(*value) : json(nullptr); }

std::optional<int> optional_int_in(const json& object, const char* key) {
    if (!object.contains(key) || object[key].is_null()) {
        return std::nullopt;
    }
    return object[key].get<int>();
}

// A key's value, or the type's default when the key is missing.
template <typename T>
T value_in(const json& object, const char* key) {
    return object.contains(key) ? object[key].get<T>() : T{};
}

json step_json(const StepRecord& step) {
    return {{"name", step.name},
            {"kind", step.kind},
            {"image", step.image},
            {"state", to_string(step.state)},
            {"exit_code", optional_int(step.exit_code)},
            {"started", step.started},
            {"finished", step.finished},
            {"log", step.log},
            {"message", step.message}};
}

StepRecord step_from(const json& object) {
    StepRecord step;
    step.name = value_in<std::string>(object, "name");
    step.kind = value_in<std::string>(object, "kind");
    step.image = value_in<std::string>(object, "image");
    step.state = step_state_from_string(value_in<std::string>(object, "state"));
    step.exit_code = optional_int_in(object, "exit_code");
    step.started = value_in<std::string>(object, "started");
    step.finished = value_in<std::string>(object, "finished");
    step.log = value_in<std::string>(object, "log");
    step.message = value_in<std::string>(object, "message");
    return step;
}

}  // namespace

std::string to_string(JobState state) { return k_job_states[static_cast<size_t>(state)]; }
std::string to_string(StepState state) { return k_step_states[static_cast<size_t>(state)]; }

JobState job_state_from_string(const std::string& text) { return state_from<JobState>(text, k_job_states, "job"); }

StepState step_state_from_string(const std::string& text) {
    return state_from<StepState>(text, k_step_states, "step");
}

bool finished(JobState state) {
    return state == JobState::succeeded || state == JobState::failed || state == JobState::error ||
           state == JobState::canceled;
}

StepRecord* JobRecord::step(const std::string& name) {
    for (auto& each : steps) {
        if (each.name == name) {
            return &each;
        }
    }
    return nullptr;
}

const StepRecord* JobRecord::step(const std::string& name) const {
    return const_cast<JobRecord*>(this)->step(name);
}

std::string record_to_json(const JobRecord& record) {
    json steps = json::array();
    for (const auto& step : record.steps) {
        steps.push_back(step_json(step));
    }
    json document = {
        {"format", record.format},
        {"id", record.id},
        {"instance", record.instance},
        {"number", record.number},
        {"state", to_string(record.state)},
        {"commit",
         {{"sha", record.commit.sha}, {"ref", record.commit.ref}, {"repo", record.commit.repo},
          {"message", record.commit.message}}},
        {"created", record.created},
        {"started", record.started},
        {"finished", record.finished},
        {"worker",
         {{"host", record.worker.host}, {"pid", record.worker.pid}, {"machine", record.worker.machine},
          {"user", record.worker.user}, {"calzion_pid", record.worker.calzion_pid}}},
        {"steps", steps},
        {"pipeline_file", record.pipeline_file},
        {"message", record.message},
        {"revision", optional_int(record.revision)},
    };
    return document.dump();
}

JobRecord parse_record(const std::string& text, const std::string& host, const std::string& where) {
    try {
        json document = json::parse(text);
        JobRecord record;
        record.format = value_in<int>(document, "format");
        record.id = value_in<std::string>(document, "id");
        record.instance = value_in<std::string>(document, "instance");
        record.number = value_in<int>(document, "number");
        record.state = job_state_from_string(value_in<std::string>(document, "state"));
        if (document.contains("commit")) {
            const json& commit = document["commit"];
            record.commit = {value_in<std::string>(commit, "sha"), value_in<std::string>(commit, "ref"),
                             value_in<std::string>(commit, "repo"), value_in<std::string>(commit, "message")};
        }
        record.created = value_in<std::string>(document, "created");
        record.started = value_in<std::string>(document, "started");
        record.finished = value_in<std::string>(document, "finished");
        if (document.contains("worker")) {
            const json& worker = document["worker"];
            record.worker = {value_in<std::string>(worker, "host"), value_in<int>(worker, "pid"),
                             value_in<std::string>(worker, "machine"), value_in<std::string>(worker, "user"),
                             value_in<int>(worker, "calzion_pid")};
        }
        if (document.contains("steps")) {
            for (const auto& step : document["steps"]) {
                record.steps.push_back(step_from(step));
            }
        }
        record.pipeline_file = value_in<std::string>(document, "pipeline_file");
        record.message = value_in<std::string>(document, "message");
        record.revision = optional_int_in(document, "revision");
        return record;
    } catch (const json::exception& error) {
        throw Error(ErrorKind::operation_failed, "the job record " + util::quoted(where) + " on " +
                                                     util::quoted(host) + " cannot be read: " + error.what());
    } catch (const Error& error) {
        throw Error(ErrorKind::operation_failed, "the job record " + util::quoted(where) + " on " +
                                                     util::quoted(host) + " cannot be read: " + error.message());
    }
}

std::string job_id(const std::string& instance, int number) { return instance + "." + std::to_string(number); }

std::pair<std::string, int> parse_job_id(const std::string& id) {
    size_t dot = id.rfind('.');
    std::string digits = dot == std::string::npos ? "" : id.substr(dot + 1);
    std::string instance = dot == std::string::npos ? "" : id.substr(0, dot);
    bool number_ok = !digits.empty() && digits.size() <= 9 && digits[0] != '0' &&
                     digits.find_first_not_of("0123456789") == std::string::npos;
    if (!number_ok || tmpl::dns_label_problem(instance)) {
        throw Error(ErrorKind::usage, util::quoted(id) + " is not a job id: it reads <instance>.<number>, as `calzion jobs` lists them");
    }
    return {instance, std::stoi(digits)};
}

}  // namespace calzion::jobs
