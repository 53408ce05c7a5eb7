#include "state/listing.hpp"

#include <nlohmann/json.hpp>
#include <sstream>

namespace calzion::state {

std::vector<InstanceRecord> parse_listing(const std::string& output) {
    std::vector<InstanceRecord> records;
    std::istringstream lines(output);
    std::string line;
    int line_in_record = 0;
    while (std::getline(lines, line)) {
        if (line.rfind("@@calzion instance ", 0) == 0) {
            records.push_back({line.substr(19), 0, "", "", "", ""});
            line_in_record = 0;
            continue;
        }
        if (records.empty()) {
            continue;
        }
        InstanceRecord& record = records.back();
        if (++line_in_record == 1) {
            record.revision = std::atoi(line.c_str());
            continue;
        }
        auto audit = nlohmann::json::parse(line, nullptr, false);
        if (audit.is_object()) {
            record.time = audit.value("time", "");
            record.user = audit.value("user", "");
            record.machine = audit.value("machine", "");
            record.status = audit.value("status", "");
        }
    }
    return records;
}

}  // namespace calzion::state
