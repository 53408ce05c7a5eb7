#include "ops/backends.hpp"

#include "docker/backend.hpp"
#include "swarm/backend.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace calzion::ops {

const backend::Backend& backend_named(const std::string& name) {
    static const docker::DockerBackend docker;
    static const swarm::SwarmBackend swarm;
    if (name.empty() || name == docker.name()) {
        return docker;
    }
    if (name == swarm.name()) {
        return swarm;
    }
    throw Error(ErrorKind::usage, "the " + util::quoted(name) + " backend is not available in this calzion yet");
}

}  // namespace calzion::ops
