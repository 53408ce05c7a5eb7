#pragma once

#include <string>

namespace calzion::util {

// Read a whole file. Throws Error(usage) naming the file and the system's reason
// when it cannot be read, and when it is larger than `max_bytes`.
std::string read_file(const std::string& path, size_t max_bytes = 16 * 1024 * 1024);

// Write `content` to `path` atomically (temp file + rename). Throws Error on failure.
void write_file_atomic(const std::string& path, const std::string& content);

}  // namespace calzion::util
