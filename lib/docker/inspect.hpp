#pragma once

#include <map>
#include <string>
#include <vector>

#include "plan/observed.hpp"

namespace calzion::docker {

// The --format template for `docker inspect` of containers and images at once:
// one JSON line per object. A container's line is the part of docker's own
// document that parse_inspected reads (Id, Name, Image, RestartCount, every label,
// State with Health's status); an image's line holds its RepoTags and Id; other
// objects print nothing. It indexes rather than selects fields that may be
// absent, because docker runs a template that fails on its typed document again
// on the raw JSON, where a missing field is an error.
extern const char* const k_inspect_format;

// What `docker inspect --format k_inspect_format` printed.
struct Inspected {
    std::vector<plan::Workload> containers;
    std::map<std::string, std::string> image_ids;  // every tag of every image -> its id
};

// Parse the lines printed with k_inspect_format; blank lines and lines that are
// not JSON objects (docker's own messages) are skipped. Throws
// Error(operation_failed) when a container's line has fields of the wrong type.
Inspected parse_inspected(const std::string& text);

// The references to ask `docker inspect` about for `images`: each in the form
// docker lists among RepoTags (see normalize_reference), once, in order. That
// form always holds ":" or "@", which no container name can, so a reference
// never finds a container.
std::vector<std::string> references_to_inspect(const std::vector<std::string>& images);

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
