#pragma once

#include <string>
#include <vector>

#include "tmpl/starters.hpp"

namespace calzion::output {

// `init --json`: {"file", "starter", "overwritten"}.
std::string init_json(const std::string& file, const std::string& starter, bool overwritten);

// `init --list --json`: {"starters": [{"name", "description"}]}.
std::string starters_json(const std::vector<tmpl::EmbeddedStarter>& starters);

}  // namespace calzion::output
