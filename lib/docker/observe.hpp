#pragma once

#include <string>
#include <vector>

#include "plan/observed.hpp"
#include "state/observer.hpp"

namespace calzion::docker {

// The observe fragment that the store's read runs for plain docker (one round
// trip, one channel): the containers labelled with `instance` and the images
// `images` (each asked about once, see references_to_inspect) in one `docker
// inspect`, and the named volumes labelled with the instance. Three docker
// processes in all: one lists containers, one inspects them and the images,
// one lists volumes.
state::Observer observer(const std::string& instance, const std::vector<std::string>& images);

// What the fragment of observer(instance, images) printed, as neutral types;
// Observed::image_ids is keyed by each of `images` as given. Throws
// Error(operation_failed) when docker did not answer, or when a container's
// description cannot be read (see parse_inspected).
plan::Observed parse_observed(const std::string& output, const std::vector<std::string>& images);

}  // namespace calzion::docker
