#pragma once

#include <string>
#include <vector>

#include "images/recipe.hpp"

namespace calzion::images {

// The commands of a build, as argv. Pure.

using Argv = std::vector<std::string>;

// `git archive` of the recipe's tree, as a tar stream on stdout (run here).
Argv archive(const Recipe& recipe);

// `docker build` of the tar stream on stdin, tagged `image`, with the recipe's
// Dockerfile, build arguments and target; it leaves no container behind.
Argv docker_build(const Recipe& recipe, const std::string& image);

// Exits 0 when the engine has `image`, printing its id.
Argv image_exists(const std::string& image);

Argv docker_push(const std::string& image);  // to the registry its name begins with
Argv docker_save(const std::string& image);  // the image as a tar stream on stdout
Argv docker_load();                          // an image from a tar stream on stdin
Argv remove_image(const std::string& image);

}  // namespace calzion::images
