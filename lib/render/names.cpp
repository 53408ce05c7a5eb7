#include "render/names.hpp"

namespace calzion::render {

std::string container_name(const std::string& instance, const std::string& service) {
    return instance + "_" + service;
}

std::string volume_name(const std::string& instance, const std::string& volume) {
    return "cz_" + instance + "_" + volume;
}

std::string built_image(const std::string& registry, const std::string& instance, const std::string& service,
                        const std::string& tag) {
    return (registry.empty() ? "" : registry + "/") + container_name(instance, service) + ":" + tag;
}

std::string network_name(const std::string& instance) { return "cz-" + instance; }

}  // namespace calzion::render
