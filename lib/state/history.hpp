#pragma once

#include <string>
#include <vector>

#include "exec/runner.hpp"
#include "render/deployment.hpp"

namespace calzion::state {

// One revision of an instance as a host recorded it.
struct RevisionRecord {
    int revision = 0;
    std::string time;     // ISO 8601 UTC
    std::string user;
    std::string machine;
    std::string command;  // "deploy" or "rollback"
    std::string status;   // "succeeded" or "failed"
    std::string template_file;
    std::string template_digest;  // sha256 of the template text
    std::string git_commit;       // of the template's repository, "-dirty" when changed; empty if none
    std::string message;          // "rollback to revision 2", what failed
    std::vector<std::string> changes;  // "web: replace (env)", one per service touched
    std::string deployment_json;  // what ran after it, as recorded (see recorded_deployment)
};

// Every revision of an instance on one host.
struct History {
    std::string state_dir;
    int current_revision = 0;            // 0: never deployed here
    std::vector<RevisionRecord> revisions;  // newest first

    // The record of `revision`, or null.
    const RevisionRecord* find(int revision) const;
};

// Parse what history_argv prints. Throws Error(operation_failed) when the output
// is cut short, and Error(invalid_data) when the state format is newer than this
// calzion's or a revision record cannot be read (naming the revision and `host`).
History parse_history(const std::string& output, const std::string& host);

// Read every revision of `instance` on a host in one round trip, without the
// lock. Throws as parse_history does, and Error(operation_failed) or
// Error(permission) when the host cannot run the script.
History read_history(exec::Runner& runner, const std::string& state_dir, const std::string& instance);

// The deployment a revision recorded, ready to run again. Throws
// Error(invalid_data) naming the revision and the field when it cannot be read.
render::Deployment recorded_deployment(const RevisionRecord& record);

}  // namespace calzion::state
