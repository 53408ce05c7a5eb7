#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "render/deployment.hpp"
#include "state/revision.hpp"

namespace calzion::state {

// A service as the current revision on a host recorded it.
struct RecordedService {
    std::string name;
    std::string container;
    std::string spec_hash;
    std::string image;
    // Each field of the service's rendered spec, as canonical JSON text, so that a
    // plan can name the fields that changed (see state::fields_of).
    std::map<std::string, std::string> fields;
    std::vector<std::string> volumes;    // named Docker volumes it mounts
    std::vector<render::Route> routes;   // the domains the router sends to it
    std::vector<render::Mount> mounts;
};

// What the host record store holds about an instance on a host, as one round
// trip read it (what runs there is the backend's: plan::Observed).
struct HostState {
    std::string state_dir;     // absolute, as the host resolved it
    int format = 0;            // 0: nothing recorded on this host yet
    int current_revision = 0;  // 0: never deployed
    std::optional<Revision> revision;  // the current one; none when never deployed or its file is gone
    std::vector<RecordedService> recorded;  // the services of `revision`
    std::string lock_owner;    // who holds the lock, if anyone
    // Per service with a secret env file on the host: the names it holds.
    std::map<std::string, std::set<std::string>> secret_files;
    std::set<std::string> init_done;  // services whose init has run: a marker in init/
    // Per service: the digest of the secrets its container was started with.
    std::map<std::string, std::string> secrets_applied;
    // What the read's observe fragment (state::Observer) printed, for the
    // backend that handed it in to parse.
    std::string observer_output;

    std::string instance_dir(const std::string& instance) const { return state_dir + "/instances/" + instance; }
    const RecordedService* recorded_service(const std::string& name) const;
};

// Parse what the state scripts print about `instance` (from "@@calzion
// state_dir" to "@@calzion end"). Throws Error(operation_failed) when the output
// is cut short, and Error(invalid_data) when the host's state format is
// newer than this calzion's or the current revision cannot be read (naming its
// file and `host`, see parse_revision).
HostState parse_dump(const std::string& output, const std::string& instance, const std::string& host);

}  // namespace calzion::state
