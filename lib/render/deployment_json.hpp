#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "render/deployment.hpp"

namespace calzion::render {

// The format version of a rendered deployment, recorded with every revision.
inline constexpr int k_deployment_format = 1;

// The JSON of a service and of a deployment: every field present (but those a
// recorded service lacks, see RenderedService::absent, and "swarm", there only
// for a swarm instance's service), name, container, image and hash first, the
// rest in sorted order, the same bytes every time.
nlohmann::ordered_json service_to_json(const RenderedService& service);
nlohmann::ordered_json deployment_to_json(const Deployment& deployment);

// Read a deployment back from the JSON deployment_to_json wrote (as a host
// recorded it): the exact inverse, so that writing the result again gives the same
// JSON. Strict: a missing or unknown field, a value of the wrong type or another
// format throws Error(invalid_data) naming the field ("services[1].env.PORT"),
// except "pull" and "routes", which revisions recorded before they existed lack
// (read as none, and listed in the service's `absent`), and "swarm", which only
// a swarm instance's services have.
// The recorded spec hashes are kept as they are, not computed again.
Deployment deployment_from_json(const nlohmann::json& document);

// As deployment_from_json, except that a service may lack any field but its
// name and container: each missing one reads as its default and is listed in
// the service's `absent`. What the planner and the router read; what is run
// again must pass check_complete.
Deployment recorded_deployment_from_json(const nlohmann::json& document);

// Throw the Error(invalid_data) deployment_from_json throws for the first field
// a service of `deployment` lacks ("services[1].after" is missing), other than
// "pull" and "routes".
void check_complete(const Deployment& deployment);

// The hash of a service's canonical spec, without the labels that carry the hash
// and the revision (they would make the hash depend on itself and on time), and
// without `init`, `pull` and `routes`, which do not change what the container
// runs. "swarm" counts when it is set: changing the scale or the placement
// updates the service.
std::string spec_hash(const RenderedService& service);

// Print a deployment as YAML (keys in canonical order, strings quoted when needed).
std::string deployment_to_yaml(const Deployment& deployment);

}  // namespace calzion::render
