#pragma once
#include <string>

namespace calzion::backend {

// What destroy did with one named volume of an instance.
struct NamedVolume {
    std::string name;
    bool removed = false;
    std::string kept_because;  // when kept: why ("in use by container x", ...)
};

}  // namespace calzion::backend
