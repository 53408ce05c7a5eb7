#include "pipeline/queue.hpp"

#include <algorithm>
#include <set>

#include "jobs/store.hpp"
#include "util/identity.hpp"
#include "util/strings.hpp"

namespace calzion::pipeline {

namespace {

std::vector<jobs::Found> queued_jobs(exec::Runner& host, const std::string& state_dir, const std::string& instance) {
    std::vector<jobs::Found> queued;
    for (auto& found : jobs::list_jobs(host, state_dir, instance)) {
        if (found.record.state == jobs::JobState::queued) {
            queued.push_back(std::move(found));
        }
    }
    std::sort(queued.begin(), queued.end(),
              [](const jobs::Found& a, const jobs::Found& b) { return a.record.number < b.record.number; });
    return queued;
}

// A queued job the worker could not even prepare (its template or repository
// is gone) ends in error with why; the queue goes on.
JobOutcome refuse(exec::Runner& host, jobs::Begun& begun, jobs::JobRecord record, const Error& why) {
    record.state = jobs::JobState::error;
    record.started = record.finished = util::utc_now_iso();
    record.message = util::one_line(why.message());
    jobs::write_record(host, begun.dir, record);
    begun.lock.reset();
    JobOutcome outcome;
    outcome.host = host.host();
    outcome.record = record;
    outcome.error = Error(why.kind(), "job " + util::quoted(record.id) + ": " + why.message());
    return outcome;
}

}  // namespace

jobs::JobRecord enqueue(exec::Runner& host, const std::string& state_dir, jobs::JobRecord record, int keep) {
    jobs::Begun begun = jobs::begin_job(host, state_dir, record.instance, keep);
    record.number = begun.number;
    record.id = jobs::job_id(record.instance, begun.number);
    record.state = jobs::JobState::queued;
    record.created = util::utc_now_iso();
    jobs::write_record(host, begun.dir, record);
    return record;
}

Worked work_instance(exec::Runner& host, const std::string& state_dir, const std::string& instance,
                     const Prepare& prepare, const WorkOptions& options, exec::Runner& local,
                     events::Reporter& reporter) {
    Worked worked;
    worked.host = host.host();
    worked.instance = instance;
    auto queue_lock = jobs::take_queue_lock(host, state_dir, instance, options.lock_wait, options.command);
    std::set<int> passed;  // claimed by someone else: not asked again by this worker
    while (true) {
        auto queued = queued_jobs(host, state_dir, instance);
        auto next = std::find_if(queued.begin(), queued.end(),
                                 [&](const jobs::Found& found) { return passed.count(found.record.number) == 0; });
        if (next == queued.end()) {
            break;
        }
        jobs::JobRecord record = next->record;
        std::optional<jobs::Begun> begun = jobs::claim_job(host, state_dir, instance, record.number);
        if (!begun) {
            passed.insert(record.number);
            continue;
        }
        JobRequest request;
        try {
            request = prepare(record);
        } catch (const Error& error) {
            worked.jobs.push_back(refuse(host, *begun, record, error));
            continue;
        }
        if (options.coalesce) {
            int mine = record.number;
            request.superseded_by = [&host, &state_dir, &instance, mine]() -> std::string {
                auto waiting = queued_jobs(host, state_dir, instance);
                return !waiting.empty() && waiting.back().record.number > mine ? waiting.back().record.id : "";
            };
        }
        worked.jobs.push_back(run_claimed(request, host, local, reporter, std::move(*begun), record));
    }
    return worked;
}

std::vector<std::string> instances_with_queued_jobs(exec::Runner& host, const std::string& state_dir) {
    std::vector<jobs::Found> queued = queued_jobs(host, state_dir, "");
    std::vector<std::string> instances;
    for (const auto& found : queued) {
        if (std::find(instances.begin(), instances.end(), found.record.instance) == instances.end()) {
            instances.push_back(found.record.instance);
        }
    }
    return instances;
}

}  // namespace calzion::pipeline
