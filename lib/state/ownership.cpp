#include "state/ownership.hpp"

#include <algorithm>
#include <vector>

#include "util/error.hpp"
#include "util/strings.hpp"

namespace calzion::state {

namespace {

[[noreturn]] void refuse(const HostState& observed, const std::string& instance, const std::string& host,
                         const std::string& owner, const std::string& object) {
    throw Error(ErrorKind::permission, "instance " + util::quoted(instance) + " on " + host +
                                           " is owned by state directory " + owner + ", not " + observed.state_dir +
                                           " (" + object + "); use that state directory to change it");
}

}  // namespace

void check_owner(const HostState& observed, const std::string& instance, const std::string& host) {
    std::vector<std::string> unlabelled;
    for (const auto& container : observed.containers) {
        if (container.state_dir.empty()) {
            unlabelled.push_back(container.name);
        } else if (container.state_dir != observed.state_dir) {
            refuse(observed, instance, host, container.state_dir, "container " + container.name);
        }
    }
    for (const auto& [volume, owner] : observed.volumes) {
        if (!owner.empty() && owner != observed.state_dir) {
            refuse(observed, instance, host, owner, "volume " + volume);
        }
    }
    if (!unlabelled.empty() && observed.current_revision == 0) {
        std::sort(unlabelled.begin(), unlabelled.end());
        throw Error(ErrorKind::permission,
                    "instance " + util::quoted(instance) + " on " + host + " has containers that name no owner (" +
                        util::comma_list(unlabelled) + ") and state directory " + observed.state_dir +
                        " has no record of it: it was deployed with another state directory; use that one to change it");
    }
}

}  // namespace calzion::state
