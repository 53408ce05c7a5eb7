#pragma once

#include <string>
#include <string_view>

namespace calzion::util {

// Return the SHA-256 digest (FIPS 180-4) of data as 64 lowercase hex digits.
std::string sha256_hex(std::string_view data);

}  // namespace calzion::util
