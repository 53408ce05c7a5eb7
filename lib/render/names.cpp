#include "render/names.hpp"

namespace calzion::render {

std::string container_name(const std::string& instance, const std::string& service) {
    return instance + "_" + service;
}

std::string volume_name(const std::string& instance, const std::string& volume) {
    return "cz_" + instance + "_" + volume;
}

std::string network_name(const std::string& instance) { return "cz-" + instance; }

}  // namespace calzion::render
