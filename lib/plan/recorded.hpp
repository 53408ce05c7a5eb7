#pragma once
#include <map>
#include <set>
#include <string>
#include <vector>

#include "render/deployment.hpp"

namespace calzion::plan {

// A service as the current revision on a host recorded it.
struct RecordedService {
    std::string name;
    std::string container;
    std::string spec_hash;
    std::string image;
    // Each field of the service's rendered spec, as canonical JSON text, so that a
    // plan can name the fields that changed (see state::fields_of).
    std::map<std::string, std::string> fields;
    std::vector<std::string> volumes;    // named volumes it mounts
    std::vector<render::Route> routes;   // the domains the router sends to it
    std::vector<render::Mount> mounts;
};

// What the planner reads of a host's records about an instance. The host
// record store's view (state::HostState) is one, read from the host; the
// planner needs no more than this and does no I/O.
struct Recorded {
    std::string state_dir;     // absolute, as the host resolved it
    int current_revision = 0;  // 0: never deployed
    std::vector<RecordedService> recorded;  // the services of the current revision
    // Per service with a secret env file on the host: the names it holds.
    std::map<std::string, std::set<std::string>> secret_files;
    std::set<std::string> init_done;  // services whose init has run
    // Per service: the digest of the secrets its container was started with.
    std::map<std::string, std::string> secrets_applied;

    // The directory of `instance`'s records on the host.
    std::string instance_dir(const std::string& instance) const { return state_dir + "/instances/" + instance; }
    // The recorded service `name`, or null.
    const RecordedService* recorded_service(const std::string& name) const {
        for (const auto& service : recorded) {
            if (service.name == name) {
                return &service;
            }
        }
        return nullptr;
    }
};

}  // namespace calzion::plan
