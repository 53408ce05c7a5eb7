#include "backend/ownership.hpp"

#include <algorithm>
#include <vector>

#include "util/error.hpp"
#include "util/strings.hpp"

namespace calzion::backend {

namespace {

[[noreturn]] void refuse(const state::HostState& recorded, const std::string& instance, const std::string& host,
                         const std::string& owner, const std::string& object) {
    throw Error(ErrorKind::permission, "instance " + util::quoted(instance) + " on " + host +
                                           " is owned by state directory " + owner + ", not " + recorded.state_dir +
                                           " (" + object + "); use that state directory to change it");
}

}  // namespace

void check_owner(const plan::Observed& observed, const state::HostState& recorded, const std::string& instance,
                 const std::string& host) {
    std::vector<std::string> unlabelled;
    for (const auto& workload : observed.workloads) {
        if (workload.state_dir.empty()) {
            unlabelled.push_back(workload.name);
        } else if (workload.state_dir != recorded.state_dir) {
            refuse(recorded, instance, host, workload.state_dir, "container " + workload.name);
        }
    }
    for (const auto& [volume, owner] : observed.volumes) {
        if (!owner.empty() && owner != recorded.state_dir) {
            refuse(recorded, instance, host, owner, "volume " + volume);
        }
    }
    if (!unlabelled.empty() && recorded.current_revision == 0) {
        std::sort(unlabelled.begin(), unlabelled.end());
        throw Error(ErrorKind::permission,
                    "instance " + util::quoted(instance) + " on " + host + " has containers that name no owner (" +
                        util::comma_list(unlabelled) + ") and state directory " + recorded.state_dir +
                        " has no record of it: it was deployed with another state directory; use that one to change it");
    }
}

}  // namespace calzion::backend
