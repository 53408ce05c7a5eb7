#pragma once

#include <string>
#include <vector>

#include "exec/runner.hpp"
#include "state/revision.hpp"

namespace calzion::state {

// Every revision of an instance on one host.
struct History {
    std::string state_dir;
    int current_revision = 0;            // 0: never deployed here
    std::vector<Revision> revisions;     // newest first, each numbered by its file

    // The record of `revision`, or null.
    const Revision* find(int revision) const;
};

// Parse what history_argv prints about `instance`. Throws
// Error(operation_failed) when the output is cut short, and Error(invalid_data)
// when the state format is newer than this calzion's or a revision cannot be
// read (naming its file and `host`, see parse_revision).
History parse_history(const std::string& output, const std::string& instance, const std::string& host);

// Read every revision of `instance` on a host in one round trip, without the
// lock. Throws as parse_history does, and Error(operation_failed) or
// Error(permission) when the host cannot run the script.
History read_history(exec::Runner& runner, const std::string& state_dir, const std::string& instance);

}  // namespace calzion::state
