#pragma once

#include <string>
#include <vector>

#include "deploy/history.hpp"

namespace calzion::output {

// `history` for people: per host a table of revisions, newest first, the current
// one starred, each followed by its message and its changes, indented.
std::string history_text(const std::vector<deploy::HostHistory>& histories, const std::string& instance);

// `history --json`: {"instance", "hosts": [{"host", "current_revision",
// "revisions": [{"revision", "current", "time", "user", "machine", "command",
// "status", "template", "template_digest", "git_commit", "message", "changes"}],
// "error"}]}; git_commit and message are null when there is none.
std::string history_json(const std::vector<deploy::HostHistory>& histories, const std::string& instance);

}  // namespace calzion::output
