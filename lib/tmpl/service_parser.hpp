#pragma once

#include "tmpl/layout.hpp"
#include "tmpl/reader.hpp"
#include "tmpl/spec.hpp"

namespace calzion::tmpl {

// Every key a service may have.
extern const std::vector<std::string> k_service_keys;

// Read one service's settings; problems go to the reader's diagnostics.
Service parse_service(const ServiceEntry& entry, Reader& reader);

}  // namespace calzion::tmpl
