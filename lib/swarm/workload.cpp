#include <algorithm>
#include <set>

#include "swarm/observe.hpp"

namespace calzion::swarm {

namespace {

std::string label(const std::map<std::string, std::string>& labels, const char* key) {
    auto found = labels.find(key);
    return found == labels.end() ? "" : found->second;
}

int label_number(const std::string& text) {
    if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos) {
        return 0;
    }
    return std::stoi(text);
}

bool failed(const plan::Task& task) { return task.state == "failed" || task.state == "rejected"; }

// The service's tasks that should run, then its latest failed one if it is
// not among them, each with its node named.
std::vector<plan::Task> tasks_of(const InspectedService& service, const std::vector<InspectedTask>& tasks,
                                 const std::map<std::string, std::string>& nodes, const std::set<std::string>& down) {
    std::vector<plan::Task> out;
    const InspectedTask* latest_failure = nullptr;
    for (const auto& task : tasks) {
        if (task.service_id != service.id) {
            continue;
        }
        if (down.count(task.task.node) && task.task.state == "running") {
            // Its node stopped answering: what it last said is stale.
            out.push_back(task.task);
            out.back().state = "node down";
        } else if (task.task.desired_state == "running") {
            out.push_back(task.task);
        } else if (failed(task.task) && (!latest_failure || task.timestamp > latest_failure->timestamp)) {
            latest_failure = &task;
        }
    }
    if (latest_failure) {
        out.push_back(latest_failure->task);
    }
    for (auto& task : out) {
        auto node = nodes.find(task.node);
        if (node != nodes.end()) {
            task.node = node->second;
        }
    }
    return out;
}

std::string status_of(const InspectedService& service, const std::vector<InspectedTask>& tasks, int wanted,
                      const std::set<std::string>& down) {
    const std::string& update = service.update_state;
    if (update == "updating" || update == "rollback_started") {
        return "updating";
    }
    std::string current_label = label(service.spec.container_labels, k_task_label);
    int current = 0;
    int should_run = 0;
    int alive = 0;
    for (const auto& task : tasks) {
        if (task.service_id != service.id) {
            continue;
        }
        bool running = task.task.state == "running" && !down.count(task.task.node);
        alive += running ? 1 : 0;
        if (task.task.desired_state == "running") {
            ++should_run;
            current += running && task.task_label == current_label && task.force_update == service.force_update;
        }
    }
    if (wanted == 0) {
        return alive == 0 ? "stopped" : "stopping";
    }
    bool paused = update == "paused" || update == "rollback_paused";
    return !paused && current == wanted && should_run == wanted ? "running" : "degraded";
}

}  // namespace

plan::Workload workload_of(const InspectedService& service, const std::vector<InspectedTask>& tasks,
                           const std::map<std::string, std::string>& nodes, long long recorded_version,
                           const std::set<std::string>& down) {
    const auto& labels = service.spec.labels;
    plan::Workload workload;
    workload.id = service.id;
    workload.name = service.spec.name;
    workload.instance = label(labels, "io.calzion.instance");
    workload.service = label(labels, "io.calzion.service");
    workload.spec_hash = label(labels, "io.calzion.spec-hash");
    workload.state_dir = label(labels, "io.calzion.state");
    workload.revision = label_number(label(labels, "io.calzion.revision"));
    workload.tasks = tasks_of(service, tasks, nodes, down);
    // A service that is not replicated (calzion makes none) wants the tasks it has.
    workload.replicas = service.spec.replicas >= 0
                            ? service.spec.replicas
                            : static_cast<int>(std::count_if(workload.tasks.begin(), workload.tasks.end(),
                                                             [](const plan::Task& task) {
                                                                 return task.desired_state == "running";
                                                             }));
    workload.status = status_of(service, tasks, workload.replicas, down);
    for (const auto& mount : service.spec.mounts) {
        if (mount.type == "volume") {
            workload.volumes.push_back({mount.source, mount.target});
        }
    }
    if (recorded_version > 0 && recorded_version != service.version) {
        workload.changed_by_hand = "changed outside calzion (version " + std::to_string(service.version) +
                                   ", calzion left " + std::to_string(recorded_version) + ")";
    }
    return workload;
}

}  // namespace calzion::swarm
