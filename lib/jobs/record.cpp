// The one writer and the one reader of job records. A record is one line of
// JSON with its keys in a fixed order. Reading is tolerant of what an older
// calzion did not write (a missing key reads as empty) and of keys it does not
// know, but not of a value of the wrong type, an unknown state or a format
// newer than this calzion's: those are errors naming the record and the host.

#include "jobs/record.hpp"

#include <nlohmann/json.hpp>

#include "tmpl/names.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace calzion::jobs {

using nlohmann::json;
using nlohmann::ordered_json;

namespace {

constexpr int k_format = 1;

const std::vector<std::pair<JobState, const char*>> k_job_states = {
    {JobState::queued, "queued"},   {JobState::running, "running"}, {JobState::succeeded, "succeeded"},
    {JobState::failed, "failed"},   {JobState::error, "error"},     {JobState::canceled, "canceled"},
    {JobState::superseded, "superseded"},
};

const std::vector<std::pair<StepState, const char*>> k_step_states = {
    {StepState::pending, "pending"}, {StepState::running, "running"},   {StepState::succeeded, "succeeded"},
    {StepState::failed, "failed"},   {StepState::skipped, "skipped"},   {StepState::canceled, "canceled"},
    {StepState::error, "error"},
};

template <typename State>
std::string name_of(const std::vector<std::pair<State, const char*>>& names, State state) {
    for (const auto& [value, name] : names) {
        if (value == state) {
            return name;
        }
    }
    return "unknown";
}

template <typename State>
State state_of(const std::vector<std::pair<State, const char*>>& names, const std::string& text, const char* what) {
    std::string known;
    for (const auto& [value, name] : names) {
        if (text == name) {
            return value;
        }
        known += (known.empty() ? "" : ", ") + std::string(name);
    }
    throw Error(ErrorKind::invalid_data, util::quoted(text) + " is not a " + what + " state (" + known + ")");
}

ordered_json optional_int(const std::optional<int>& value) {
    return value ? ordered_json(*value) : ordered_json(nullptr);
}

ordered_json step_json(const StepRecord& step) {
    ordered_json out;
    out["name"] = step.name;
    out["kind"] = step.kind;
    out["image"] = step.image;
    out["state"] = to_string(step.state);
    out["exit_code"] = optional_int(step.exit_code);
    out["started"] = step.started;
    out["finished"] = step.finished;
    out["log"] = step.log;
    out["message"] = step.message;
    return out;
}

// Reads the values of one JSON object; `path` names it in messages
// ("commit.", "steps[2].").
class Fields {
public:
    Fields(const json& object, std::string path) : m_object(object), m_path(std::move(path)) {}

    std::string text(const char* key) const {
        const json* value = find(key);
        if (value == nullptr || value->is_null()) {
            return {};
        }
        if (!value->is_string()) {
            throw wrong(key, "a string");
        }
        return value->get<std::string>();
    }

    std::optional<int> number(const char* key) const {
        const json* value = find(key);
        if (value == nullptr || value->is_null()) {
            return std::nullopt;
        }
        if (!value->is_number_integer() || value->get<long long>() < -2'147'483'647 ||
            value->get<long long>() > 2'147'483'647) {
            throw wrong(key, "a whole number");
        }
        return value->get<int>();
    }

    bool flag(const char* key) const {
        const json* value = find(key);
        if (value == nullptr || value->is_null()) {
            return false;
        }
        if (!value->is_boolean()) {
            throw wrong(key, "true or false");
        }
        return value->get<bool>();
    }

    // The object or array at `key`, or nullptr when it is missing or null.
    const json* nested(const char* key, bool array) const {
        const json* value = find(key);
        if (value == nullptr || value->is_null()) {
            return nullptr;
        }
        if (array ? !value->is_array() : !value->is_object()) {
            throw wrong(key, array ? "a list" : "an object");
        }
        return value;
    }

    std::string path(const char* key) const { return m_path + key; }

private:
    const json* find(const char* key) const {
        auto found = m_object.find(key);
        return found == m_object.end() ? nullptr : &*found;
    }

    std::runtime_error wrong(const char* key, const char* what) const {
        return std::runtime_error(util::quoted(path(key)) + " must be " + what);
    }

    const json& m_object;
    std::string m_path;
};

Commit read_commit(const Fields& fields) {
    Commit commit;
    if (const json* object = fields.nested("commit", false)) {
        Fields read(*object, "commit.");
        commit = {read.text("sha"), read.text("ref"), read.text("repo"), read.text("message")};
    }
    return commit;
}

Worker read_worker(const Fields& fields) {
    Worker worker;
    if (const json* object = fields.nested("worker", false)) {
        Fields read(*object, "worker.");
        worker.host = read.text("host");
        worker.pid = read.number("pid").value_or(0);
        worker.machine = read.text("machine");
        worker.user = read.text("user");
        worker.calzion_pid = read.number("calzion_pid").value_or(0);
    }
    return worker;
}

StepRecord read_step(const json& item, size_t index) {
    std::string path = "steps[" + std::to_string(index) + "]";
    if (!item.is_object()) {
        throw std::runtime_error(util::quoted(path) + " must be an object");
    }
    Fields read(item, path + ".");
    StepRecord step;
    step.name = read.text("name");
    step.kind = read.text("kind");
    step.image = read.text("image");
    std::string state = read.text("state");
    step.state = state.empty() ? StepState::pending : step_state_from_string(state);
    step.exit_code = read.number("exit_code");
    step.started = read.text("started");
    step.finished = read.text("finished");
    step.log = read.text("log");
    step.message = read.text("message");
    return step;
}

JobRecord read_record(const json& document) {
    if (!document.is_object()) {
        throw std::runtime_error("it is not a JSON object");
    }
    Fields read(document, "");
    JobRecord record;
    record.format = read.number("format").value_or(k_format);
    if (record.format > k_format) {
        throw std::runtime_error("it was written by a newer calzion (format " + std::to_string(record.format) +
                                 ", this calzion reads " + std::to_string(k_format) + ")");
    }
    record.instance = read.text("instance");
    record.number = read.number("number").value_or(0);
    record.id = read.text("id");
    if (record.id.empty() && !record.instance.empty()) {
        record.id = job_id(record.instance, record.number);
    }
    std::string state = read.text("state");
    if (state.empty()) {
        throw std::runtime_error("it has no \"state\"");
    }
    record.state = job_state_from_string(state);
    record.commit = read_commit(read);
    record.created = read.text("created");
    record.started = read.text("started");
    record.finished = read.text("finished");
    record.worker = read_worker(read);
    record.pipeline_file = read.text("pipeline");
    if (const json* steps = read.nested("steps", true)) {
        for (size_t i = 0; i < steps->size(); ++i) {
            record.steps.push_back(read_step((*steps)[i], i));
        }
    }
    record.message = read.text("message");
    record.revision = read.number("revision");
    record.template_file = read.text("template");
    record.ship = read.flag("ship");
    record.superseded_by = read.text("superseded_by");
    return record;
}

}  // namespace

std::string to_string(JobState state) { return name_of(k_job_states, state); }
std::string to_string(StepState state) { return name_of(k_step_states, state); }

JobState job_state_from_string(const std::string& text) { return state_of(k_job_states, text, "job"); }
StepState step_state_from_string(const std::string& text) { return state_of(k_step_states, text, "step"); }

bool finished(JobState state) {
    return state == JobState::succeeded || state == JobState::failed || state == JobState::error ||
           state == JobState::canceled || state == JobState::superseded;
}

StepRecord* JobRecord::step(const std::string& name) {
    for (auto& item : steps) {
        if (item.name == name) {
            return &item;
        }
    }
    return nullptr;
}

const StepRecord* JobRecord::step(const std::string& name) const {
    return const_cast<JobRecord*>(this)->step(name);
}

std::string record_to_json(const JobRecord& record) {
    ordered_json out;
    out["format"] = record.format;
    out["id"] = record.id;
    out["instance"] = record.instance;
    out["number"] = record.number;
    out["state"] = to_string(record.state);
    out["commit"] = {{"sha", record.commit.sha},
                     {"ref", record.commit.ref},
                     {"repo", record.commit.repo},
                     {"message", record.commit.message}};
    out["created"] = record.created;
    out["started"] = record.started;
    out["finished"] = record.finished;
    out["worker"] = {{"host", record.worker.host},
                     {"pid", record.worker.pid},
                     {"machine", record.worker.machine},
                     {"user", record.worker.user},
                     {"calzion_pid", record.worker.calzion_pid}};
    out["pipeline"] = record.pipeline_file;
    out["steps"] = ordered_json::array();
    for (const auto& step : record.steps) {
        out["steps"].push_back(step_json(step));
    }
    out["message"] = record.message;
    out["revision"] = optional_int(record.revision);
    out["template"] = record.template_file;
    out["ship"] = record.ship;
    out["superseded_by"] = record.superseded_by;
    // Invalid UTF-8 (a commit message in another encoding) is replaced, not refused.
    return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

JobRecord parse_record(const std::string& text, const std::string& host, const std::string& where) {
    auto fail = [&](const std::string& why) {
        return Error(ErrorKind::operation_failed, "the job record " + util::quoted(where) + " on " +
                                                      util::quoted(host) + " cannot be read: " + why);
    };
    json document;
    try {
        document = json::parse(text);
    } catch (const json::exception&) {
        throw fail("it is not JSON");
    }
    try {
        return read_record(document);
    } catch (const Error& error) {
        throw fail(error.message());
    } catch (const std::runtime_error& error) {
        throw fail(error.what());
    }
}

std::string job_id(const std::string& instance, int number) { return instance + "." + std::to_string(number); }

std::pair<std::string, int> parse_job_id(const std::string& id) {
    auto refuse = [&] {
        return Error(ErrorKind::usage,
                     util::quoted(id) + " is not a job id: it reads <instance>.<number>, like \"shop.12\"");
    };
    size_t dot = id.rfind('.');
    if (dot == std::string::npos) {
        throw refuse();
    }
    std::string instance = id.substr(0, dot);
    std::string digits = id.substr(dot + 1);
    try {
        tmpl::check_instance_name(instance);
    } catch (const Error&) {
        throw refuse();
    }
    // Digits only, no leading zero, within an int: the id job_id() writes.
    bool canonical = !digits.empty() && digits.size() <= 9 && digits.front() != '0' &&
                     digits.find_first_not_of("0123456789") == std::string::npos;
    if (!canonical) {
        throw refuse();
    }
    return {instance, std::stoi(digits)};
}

}  // namespace calzion::jobs
