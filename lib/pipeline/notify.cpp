#include "pipeline/notify.hpp"

namespace calzion::pipeline {

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

}  // namespace calzion::pipeline
