#pragma once

#include <set>
#include <string>
#include <vector>

#include "render/deployment.hpp"
#include "util/error.hpp"

namespace calzion::state {

struct HostState;

// One revision of an instance, as a host records it in
// <state_dir>/instances/<instance>/revisions/<n>.json: who made it and how it
// ended, then the deployment that ran after it.
struct Revision {
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
    render::Deployment deployment;     // what ran after it (see runnable_deployment)
};

// The file of revision `revision` in the instance directory `instance_dir`.
std::string revision_file(const std::string& instance_dir, int revision);

// Read a revision document as a host stored it in `file`. The descriptive
// fields older calzions did not write read as empty; the deployment must be
// there, in this calzion's format, and its services may lack fields (see
// render::recorded_deployment_from_json). Throws Error(invalid_data) naming
// `file` and `host` when the text is not a revision document, a field is unknown
// or of the wrong type, or the deployment cannot be read.
Revision parse_revision(const std::string& text, const std::string& host, const std::string& file);

// The deployment `revision` recorded, ready to run again. Throws
// Error(invalid_data) naming the revision and the field when a service's record
// lacks one ("revision 4 cannot be run again: ...").
render::Deployment runnable_deployment(const Revision& revision);

// The document of `revision` as a host stores it (without the final line
// break): keys in sorted order, the same bytes every time, and what
// parse_revision reads back as the same revision.
std::string revision_to_json(const Revision& revision);

// The error parse_revision throws: `problem` with the file and the host it is in.
Error unreadable_revision(const std::string& host, const std::string& file, const std::string& problem);

// The deployment to record after a deploy: what actually runs. A service
// appears with its new spec when it now runs it (`current` holds it: applied or
// unchanged), with its previously recorded spec when the deploy did not get to
// replace it, and not at all when it runs nowhere. Services kept outside the
// template (`kept`) stay as recorded.
render::Deployment actual_deployment(const render::Deployment& next, const std::set<std::string>& current,
                                     const std::set<std::string>& kept, const HostState& observed);

// How the current revision's command ended, as recorded with it.
struct RevisionOutcome {
    std::string command;  // "deploy", "rollback"
    std::string status;   // "succeeded" or "failed"; empty when nothing is recorded
    std::string message;  // what went wrong, for a failure
};

// The outcome recorded in the current revision of `observed`; all empty when
// there is none.
RevisionOutcome current_outcome(const HostState& observed);

}  // namespace calzion::state
