#pragma once

#include <string>

#include "plan/observed.hpp"
#include "swarm/argv.hpp"
#include "swarm/spec.hpp"

namespace calzion::swarm {

// `docker service update --detach --no-resolve-image ... NAME` that brings a
// service from `current` (as the manager described it) to `desired`: only
// what differs, as Swarm's own add and remove flags (--env-add/--env-rm,
// --mount-add/--mount-rm, --publish-add/--publish-rm, --secret-add/--secret-rm,
// --label-add/--label-rm, ...), and whole values for the rest (--image,
// --replicas, --entrypoint, --args, the health check, ...). Empty when
// nothing differs: an update that changes nothing still makes Swarm count a
// new version of the service, so none is ever sent. The network and its
// aliases are the create's and never change.
Argv update_argv(const ServiceSpec& current, const ServiceSpec& desired);

// `docker service update --detach --force NAME`: every task replaced by a new
// one of the same spec, one at a time, as the service's update policy says.
Argv force_update_argv(const std::string& name);

// Whether replacing `workload` (a service whose spec is `current`) with
// `desired` must also replace its tasks by force: nothing of their spec
// changes, yet the plan replaces it for another reason than a new spec (which
// only scales it or relabels it then) or a change by hand (which the update
// undoes): forced, or not converged. A stopped service is only scaled back.
bool needs_forced_restart(const plan::Workload& workload, const ServiceSpec& current, const ServiceSpec& desired);

// `update` (an update_argv or scale_argv) that also replaces every task
// (--force); a forced update alone when `update` is empty.
Argv forced(const Argv& update, const std::string& name);

// `docker service update --detach --replicas N NAME`.
Argv scale_argv(const std::string& name, int replicas);

}  // namespace calzion::swarm
