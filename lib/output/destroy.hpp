#pragma once

#include <string>
#include <vector>

#include "deploy/instances.hpp"

namespace calzion::output {

// `destroy --json`: per host what was removed and what was kept.
// {"instance", "volumes", "hosts": [{"host", "containers", "network":
// {"name", "removed"}, "named_volumes": [{"name", "removed", "kept_because"}],
// "data", "instance_dir": {"path", "removed"}, "error"}]}; "data" is "removed",
// "partly kept" (a named volume stayed) or "kept", and a name or path is null
// when the host failed before destroy got that far.
std::string destroy_json(const std::vector<deploy::DestroyOutcome>& outcomes, const std::string& instance,
                         bool volumes);

}  // namespace calzion::output
