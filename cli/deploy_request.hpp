#pragma once

#include "deploy/deploy.hpp"
#include "images/recipe.hpp"
#include "invocation.hpp"

namespace calzion::cli {

// Gather everything plan and deploy need: read the template, check the
// infrastructure file, render once to check it and to find the secrets it
// needs (kept unless the command is plan), and resolve what each git/build
// service is built from (`builds`: the working tree's HEAD, or a pipeline job's
// commit). A swarm instance gets its render.swarm and its other nodes from the
// infrastructure file, and no placement.
deploy::DeployRequest deploy_request_for(const Invocation& run, const images::ResolveOptions& builds);

}  // namespace calzion::cli
