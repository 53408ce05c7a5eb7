#pragma once

#include "render/deployment.hpp"
#include "render/render.hpp"
#include "tmpl/spec.hpp"

namespace calzion::render {

// Turn a checked, interpolated template into the deployment of one instance:
// container names, the instance network, environment (CALZION_*, global env,
// service env, expose variables, in that order, later ones winning), labels,
// mounts scoped to the instance, start order and spec hashes.
Deployment resolve(const tmpl::Template& spec, const RenderOptions& options);

// Check that every expose across the hosts of `options.placement` can be
// resolved: the provider publishes a host port for the port used. Adds each
// problem, located at the expose, to `diagnostics`. Without placement, nothing.
void check_placement(const tmpl::Template& spec, const RenderOptions& options, Diagnostics& diagnostics);

// Services in start order: every service after those it depends on (depends_on and
// expose), otherwise in template order. The template must have no cycle.
std::vector<const tmpl::Service*> start_order(const tmpl::Template& spec);

}  // namespace calzion::render
