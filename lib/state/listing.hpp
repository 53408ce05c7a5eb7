#pragma once

#include <string>
#include <vector>

namespace calzion::state {

// An instance recorded on a host and its last change.
struct InstanceRecord {
    std::string instance;
    int revision = 0;
    std::string time;
    std::string user;
    std::string machine;
    std::string status;
};

// Parse what list_instances_argv prints.
std::vector<InstanceRecord> parse_listing(const std::string& output);

}  // namespace calzion::state
