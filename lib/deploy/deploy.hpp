#pragma once

#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "images/recipe.hpp"
#include "backend/apply.hpp"
#include "deploy/targets.hpp"
#include "infra/infrastructure.hpp"
#include "plan/plan.hpp"
#include "render/render.hpp"
#include "events/reporter.hpp"

namespace calzion::deploy {

// Everything `plan` and `deploy` need.
struct DeployRequest {
    render::Source source;
    render::RenderOptions render;  // instance and variables; the revision is set per host
    Targets targets;
    plan::PlanOptions plan;
    backend::ApplyOptions apply;
    int lock_timeout = 0;               // seconds to wait for another deploy's lock
    std::ostream* dry_run = nullptr;    // set: print the commands instead of running them
    std::map<std::string, std::string> secret_values;  // by secret name
    // What each `git`/`build` service is built from (images::resolve); their image
    // tags are in render.commits.
    std::map<std::string, images::Recipe> builds;
    bool build_local = false;  // build here and send images with docker save | docker load
    // Set: the commit the revision records (a pipeline job's), instead of the
    // one checked out where the template is.
    std::string git_commit;
    // With an infrastructure file (and the docker backend): the instance's
    // hosts share its services (infra::place) instead of each running all of
    // them, and `addresses` says how each host is reached from the others
    // (for expose across hosts).
    std::optional<infra::Instance> placement;
    std::map<std::string, std::string> addresses;
    std::string infra_text;  // the infrastructure file as read, for the source lines of its messages
    // For a swarm instance (render.swarm set; the only target host is its
    // manager, and there is no placement: Swarm places the tasks): its other
    // nodes, as host names of targets.settings. Without a registry, deploy
    // loads the images it built from source there; with one, it pushes them.
    std::vector<std::string> swarm_nodes;
};

// What happened on one host.
struct HostOutcome {
    std::string host;
    int revision_before = 0;
    int revision_after = 0;  // equal to revision_before when nothing changed
    std::unique_ptr<render::Deployment> deployment;  // what the plan's actions point into
    plan::Plan plan;
    std::optional<Error> error;
};

// Where an instance's services would run on a first deploy (infra::place with
// nothing running yet), with the addresses of its hosts, for rendering every
// host's share at once: an expose across hosts is then the other host's
// address and published port. Throws as render::render.
render::Placement first_placement(const render::Source& source, const render::RenderOptions& options,
                                  const infra::Infrastructure& infrastructure, const infra::Instance& instance);

// What the infrastructure file says of a swarm instance, for render: the
// replicas of its `scale`, the constraints of its `place`
// ("node.hostname==NODE", "node.labels.NAME==VALUE"), its endpoint and publish
// modes, and the file's registry. Pure.
render::SwarmOptions swarm_options(const infra::Infrastructure& infrastructure, const infra::Instance& instance);

// Read every host's state (one round trip each, no lock) and plan. Errors are
// kept per host. With placement, every host must be read before any is planned.
std::vector<HostOutcome> plan_all(const DeployRequest& request);

// Deploy to every host in parallel: lock and read (one round trip), plan, apply,
// record what runs, unlock. Errors are kept per host and reported as they happen.
// With placement, every host is locked and read before any is changed; when one
// of them fails there, none is changed and each says why. A swarm instance's
// images built from source are built on its manager, then pushed to the
// registry (images::push_images) or loaded on its other nodes
// (images::load_images), before any service is created or updated; a node
// that cannot be reached then fails the deploy, naming it, before anything
// changes.
std::vector<HostOutcome> deploy_all(const DeployRequest& request, events::Reporter& reporter);

}  // namespace calzion::deploy
