#pragma once

#include <memory>

#include "exec/runner.hpp"
#include "ops/connector.hpp"

namespace calzion::pipeline {

// A connector that hands out `host` (already connected, owned elsewhere) for
// its own name and asks `others` for any other host: the release's deploy then
// shares the job's SSH connection to the job host instead of opening another.
std::shared_ptr<ops::Connector> borrowing_connector(std::shared_ptr<ops::Connector> others, exec::Runner& host);

}  // namespace calzion::pipeline
