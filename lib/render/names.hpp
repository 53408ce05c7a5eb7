#pragma once

#include <string>

namespace calzion::render {

// Names of the Docker objects of an instance. Instance and service names are
// DNS labels ([a-z0-9-]), so they never hold "_": with "_" between the parts,
// no two (instance, service) or (instance, volume) pairs give one name, however
// their "-" fall ("x" + "y-z" is "x_y-z", "x-y" + "z" is "x-y_z").

// The container of `service`: <instance>_<service>.
std::string container_name(const std::string& instance, const std::string& service);

// The Docker volume of the template's named volume `volume`: cz_<instance>_<volume>.
std::string volume_name(const std::string& instance, const std::string& volume);

// The image of a service built from source, tagged `tag` (its commit):
// <instance>_<service>:<tag>, or <registry>/<instance>_<service>:<tag> when
// its instance pushes its images to `registry` (swarm).
std::string built_image(const std::string& registry, const std::string& instance, const std::string& service,
                        const std::string& tag);

// The instance's network: cz-<instance> (one per instance, no other part).
std::string network_name(const std::string& instance);

}  // namespace calzion::render
