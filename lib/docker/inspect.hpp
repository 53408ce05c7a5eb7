#pragma once

#include <map>
#include <string>
#include <vector>

namespace calzion::docker {

// A Docker volume mounted in a container.
struct VolumeMount {
    std::string name;    // the volume's name (a 64-digit id for an anonymous one)
    std::string target;  // where it is mounted in the container
};

// What calzion needs to know about a container it finds on a host.
struct Container {
    std::string id;
    std::string name;       // without docker's leading "/"
    std::string instance;   // label io.calzion.instance
    std::string service;    // label io.calzion.service
    std::string spec_hash;  // label io.calzion.spec-hash
    std::string state_dir;  // label io.calzion.state: the state directory that owns it ("" before owners were labelled)
    int revision = 0;       // label io.calzion.revision
    std::string image_id;   // the image it runs, "sha256:..."
    std::string status;     // created, running, restarting, exited, paused, dead
    std::string health;     // healthy, unhealthy, starting, or "" without a check
    int exit_code = 0;
    int restart_count = 0;
    std::string started_at;
    std::vector<VolumeMount> volumes;  // the Docker volumes it mounts
};

// Parse the output of `docker container inspect` (a JSON array). Throws
// Error(operation_failed) when it is not that.
std::vector<Container> parse_containers(const std::string& json_text);

// Parse lines of `docker image inspect --format '{{json .RepoTags}} {{.Id}}'` into
// a map from every tag to the image id.
std::map<std::string, std::string> parse_image_ids(const std::string& text);

// What `docker version --format '{{json .}}'` says about client and engine.
struct Versions {
    std::string client;      // "" when docker did not say
    std::string server;      // "" when the engine did not answer
    std::string server_api;  // the engine's API version
};

// Read the JSON line among `text`'s lines (docker's stderr may be mixed in);
// versions it lacks stay empty. Never throws.
Versions parse_versions(const std::string& text);

// The form in which docker lists a reference among RepoTags: "redis" ->
// "redis:latest", "docker.io/library/redis:7" -> "redis:7".
std::string normalize_reference(const std::string& reference);

}  // namespace calzion::docker
