#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace calzion::exec {

// The command as a user would type it, shortened to 60 characters for messages.
std::string describe(const std::vector<std::string>& argv);

// A duration in seconds for messages: "2", "0.5", "1.25".
std::string seconds_text(std::chrono::milliseconds duration);

}  // namespace calzion::exec
