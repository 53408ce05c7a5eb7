#include "deploy/deploy.hpp"

#include <algorithm>
#include <optional>

#include "images/builder.hpp"
#include "deploy/converge.hpp"
#include "deploy/git_commit.hpp"
#include "deploy/router_sync.hpp"
#include "exec/dry_run_runner.hpp"
#include "ops/session.hpp"
#include "exec/local_runner.hpp"
#include "infra/placement.hpp"
#include "router/observe.hpp"
#include "router/sync.hpp"
#include "backend/ownership.hpp"
#include "backend/read.hpp"
#include "util/sha256.hpp"
#include "util/strings.hpp"

namespace calzion::deploy {

namespace {

std::unique_ptr<render::Deployment> render_at(const DeployRequest& request, int revision) {
    render::RenderOptions options = request.render;
    options.revision = revision;
    return std::make_unique<render::Deployment>(render::render(request.source, options));
}

// Plan at the current revision first, so that an unchanged template (even one
// that uses ${revision}) changes nothing; only a real change takes the next number.
std::string secrets_env_file(const render::RenderedService& service, const DeployRequest& request) {
    std::string text;
    for (const auto& name : service.secrets) {
        text += name + "=" + request.secret_values.at(name) + "\n";
    }
    return text;
}

// The plan options, with the digest of each service's secrets when deploy has
// their values.
plan::PlanOptions plan_options(const DeployRequest& request, const render::Deployment& deployment) {
    plan::PlanOptions options = request.plan;
    if (request.secret_values.empty()) {
        return options;
    }
    for (const auto& service : deployment.services) {
        if (!service.secrets.empty()) {
            options.secret_digests[service.name] = util::sha256_hex(secrets_env_file(service, request));
        }
    }
    return options;
}

void plan_host(HostOutcome& outcome, const DeployRequest& request, const state::HostState& observed,
               const plan::Observed& runtime) {
    backend::check_owner(runtime, observed, request.render.instance, outcome.host);
    outcome.revision_before = observed.current_revision;
    outcome.revision_after = observed.current_revision;
    outcome.deployment = render_at(request, std::max(1, observed.current_revision));
    outcome.plan = plan_for(*outcome.deployment, observed, runtime, plan_options(request, *outcome.deployment));
    if (outcome.plan.has_changes()) {
        outcome.revision_after = observed.current_revision + 1;
        outcome.deployment = render_at(request, outcome.revision_after);
        outcome.plan = plan_for(*outcome.deployment, observed, runtime, plan_options(request, *outcome.deployment));
    }
}

backend::ApplyOptions apply_options(const DeployRequest& request, const render::Deployment& deployment) {
    backend::ApplyOptions options = request.apply;
    for (const auto& service : deployment.services) {
        if (!service.secrets.empty()) {
            options.secrets[service.name] = secrets_env_file(service, request);
        }
    }
    return options;
}

// Where the revision's spec comes from: the same for every host, found once.
state::RevisionInfo provenance_of(const DeployRequest& request) {
    state::RevisionInfo info;
    info.command = "deploy";
    info.template_file = request.source.file;
    info.template_digest = util::sha256_hex(request.source.text);
    exec::LocalRunner local;
    info.git_commit = request.git_commit.empty() ? git_commit_of(local, request.source.file) : request.git_commit;
    return info;
}

// Build the images the plan marks, through dry-run runners for a dry run.
void build_for_host(const HostOutcome& outcome, exec::Runner& runner, const DeployRequest& request,
                    images::LocalImages& local_images, events::Reporter& reporter) {
    exec::LocalRunner local;
    std::optional<exec::DryRunRunner> dry_host;
    std::optional<exec::DryRunRunner> dry_local;
    events::SilentReporter silent;
    if (request.dry_run) {
        dry_host.emplace(runner.host(), *request.dry_run);
        dry_local.emplace("local", *request.dry_run);
    }
    images::BuildRunners runners{dry_host ? static_cast<exec::Runner&>(*dry_host) : runner,
                                dry_local ? static_cast<exec::Runner&>(*dry_local) : local,
                                request.build_local ? &local_images : nullptr};
    images::build_images(outcome.plan, request.builds, runners, request.dry_run ? silent : reporter);
}

// How a host is opened: deploy locks and reads in one round trip, a dry run
// and plan only read.
// `images`: those of the request (images_of), or for a deploy none yet: each
// host renders them then (as a problem found there is that host's).
ops::SessionOptions session_options(const DeployRequest& request, const std::string& host, bool plan_only,
                                    const std::optional<std::vector<std::string>>& images = std::nullopt) {
    using Mode = ops::SessionOptions::Mode;
    ops::SessionOptions options;
    options.state_dir = request.targets.state_dir_for(host);
    options.instance = request.render.instance;
    options.command = "deploy";
    options.lock_timeout = request.lock_timeout;
    options.images = images ? *images : images_of(*render_at(request, 1));
    options.mode = plan_only ? Mode::read : request.dry_run ? Mode::dry_run : Mode::change;
    options.dry_run_to = request.dry_run;
    options.backend = request.targets.backend;
    return options;
}

// Swarm without a registry: whether the images built from source go to the other nodes.
bool loads_on_nodes(const DeployRequest& request) {
    return request.render.swarm && request.render.swarm->registry.empty() && !request.swarm_nodes.empty();
}

// Swarm: the other nodes, reached (all at once) when the images built from
// source must be loaded there, so that a node that cannot be reached stops
// the deploy before anything changes. A dry run reaches none.
std::vector<Connection> reach_nodes(const HostOutcome& outcome, const DeployRequest& request) {
    if (!loads_on_nodes(request) || request.dry_run != nullptr || images::built_images(outcome.plan).empty()) {
        return {};
    }
    std::vector<Connection> nodes = ops::connect_all(request.targets.connect(), request.swarm_nodes);
    std::optional<Error> failed;
    std::string problems;
    for (const auto& node : nodes) {
        if (node.error) {
            failed = failed ? failed : node.error;
            problems += (problems.empty() ? "" : "; ") + std::string("swarm node ") + util::quoted(node.host) +
                        " cannot be reached to load the images built from source there: " + node.error->message();
        }
    }
    if (failed) {
        throw Error(failed->kind(), problems + "; nothing was changed");
    }
    return nodes;
}

// Swarm: make the images built from source reachable from every node, before
// any service is created or updated: push them to the registry, or load them
// on the other nodes (`nodes`, reached by reach_nodes). A dry run prints it.
void distribute(const HostOutcome& outcome, exec::Runner& manager, const std::vector<Connection>& nodes,
                const DeployRequest& request, events::Reporter& reporter) {
    std::vector<images::BuiltImage> built = images::built_images(outcome.plan);
    if (!request.render.swarm || built.empty()) {
        return;
    }
    events::SilentReporter silent;
    std::optional<exec::DryRunRunner> dry_manager;
    if (request.dry_run) {
        dry_manager.emplace(manager.host(), *request.dry_run);
    }
    exec::Runner& from = dry_manager ? static_cast<exec::Runner&>(*dry_manager) : manager;
    events::Reporter& report = request.dry_run ? static_cast<events::Reporter&>(silent) : reporter;
    if (!request.render.swarm->registry.empty()) {
        images::push_images(built, from, report);
        return;
    }
    if (!loads_on_nodes(request)) {
        return;
    }
    if (request.dry_run) {
        // One node after the other: their commands share one output.
        for (const auto& node : request.swarm_nodes) {
            exec::DryRunRunner dry_node(node, *request.dry_run);
            images::load_images(built, from, {&dry_node}, false, report);
        }
        return;
    }
    std::vector<exec::Runner*> runners;
    for (const auto& node : nodes) {
        runners.push_back(node.runner.get());
    }
    images::load_images(built, from, runners, true, report);
}

// Build and apply what plan_host planned.
void apply_planned(HostOutcome& outcome, ops::Session& session, const DeployRequest& request,
                   const state::RevisionInfo& provenance, images::LocalImages& local_images,
                   events::Reporter& reporter) {
    std::vector<Connection> nodes = reach_nodes(outcome, request);
    // Build the images of `git`/`build` services the host lacks, before anything changes.
    build_for_host(outcome, session.reader(), request, local_images, reporter);
    distribute(outcome, session.reader(), nodes, request, reporter);
    // Apply, record what actually runs as the next revision, unlock.
    ChangeOptions change{apply_options(request, *outcome.deployment), provenance};
    apply_and_record(outcome, session, change, reporter);
}

// After a deploy on a host where the instance has or had domains: the router
// follows what is now recorded there.
void sync_router(HostOutcome& outcome, exec::Runner& runner, const DeployRequest& request,
                 const state::HostState& observed, events::Reporter& reporter) {
    bool routed = std::any_of(observed.recorded.begin(), observed.recorded.end(),
                              [](const auto& service) { return !service.routes.empty(); });
    for (const auto& service : outcome.deployment->services) {
        routed = routed || !service.routes.empty();
    }
    if (!routed || request.dry_run != nullptr) {
        return;
    }
    router::SyncResult result = sync_instance_router(runner, request.targets);
    std::string domains = util::comma_list(result.domains);
    reporter.event({events::Event::Kind::done, runner.host(), "",
                    result.changed() ? "router serves " + (domains.empty() ? std::string("no domain") : domains)
                                     : "router unchanged"});
}

// Where each service runs, from every host's state.
std::map<std::string, std::string> placement_of(const DeployRequest& request,
                                                const std::vector<const state::HostState*>& observed,
                                                const std::vector<std::string>& hosts) {
    std::map<std::string, std::vector<std::string>> current;
    for (size_t i = 0; i < hosts.size(); ++i) {
        for (const auto& service : observed[i]->recorded) {
            current[service.name].push_back(hosts[i]);
        }
    }
    std::vector<std::string> services;
    auto deployment = render_at(request, 1);
    for (const auto& service : deployment->services) {
        services.push_back(service.name);
    }
    auto placed = infra::place(services, *request.placement, current);
    // --host chose some of the instance's hosts: a service neither placed
    // explicitly nor running on one of them may run on another, unread host,
    // so it is left alone rather than started a second time.
    if (hosts.size() < request.placement->hosts.size()) {
        std::erase_if(placed, [&](const auto& entry) {
            return request.placement->place.count(entry.first) == 0 && current.count(entry.first) == 0;
        });
    }
    return placed;
}

// Render the whole placed instance once: a problem of the placement (an
// expose across hosts to a port that is not published) is then one located
// error, found before any host is planned or changed.
void check_placement(const DeployRequest& request, const std::map<std::string, std::string>& placed) {
    render::RenderOptions options = request.render;
    options.placement = render::Placement{"", placed, request.addresses};
    render::render(request.source, options);
}

// The routes every host's router serves, when the instance has domains
// (one round trip each; empty otherwise).
std::vector<router::Route> routes_on(exec::Runner& runner, const DeployRequest& request) {
    if (request.render.domains.empty()) {
        return {};
    }
    return router::collect_routes(runner, request.targets.state_dir_for(runner.host()));
}

// Refuse a domain of the instance that another instance already routes on the
// host its service is placed on: a host's router sends a domain to one service.
// Throws Error(invalid_data) located at each such domain in the infrastructure file.
void check_domains_free(const DeployRequest& request, const std::map<std::string, std::string>& placed,
                        const std::vector<std::string>& hosts, const std::vector<std::vector<router::Route>>& routes) {
    Diagnostics diagnostics(request.infra_text);
    for (const auto& [service, domains] : request.render.domains) {
        auto to = placed.find(service);
        auto host = to == placed.end() ? hosts.end() : std::find(hosts.begin(), hosts.end(), to->second);
        if (host == hosts.end()) {
            continue;
        }
        for (const auto& route : routes[static_cast<size_t>(host - hosts.begin())]) {
            if (route.instance == request.render.instance ||
                std::find(domains.begin(), domains.end(), route.domain) == domains.end()) {
                continue;
            }
            auto where = request.placement->domain_where.find(route.domain);
            diagnostics.add(where == request.placement->domain_where.end() ? SourceLocation{} : where->second,
                            "domain " + util::quoted(route.domain) + " of service " + util::quoted(service) +
                                " is already routed on " + util::quoted(*host) + " to service " +
                                util::quoted(route.service) + " of instance " + util::quoted(route.instance) +
                                ": a domain can go to one service only");
        }
    }
    diagnostics.throw_if_any();
}

// One host's share of a placed instance: its services, and those that left it.
DeployRequest share_of(const DeployRequest& request, const std::string& host,
                       const std::map<std::string, std::string>& placed, const state::HostState& observed) {
    DeployRequest share = request;
    share.render.placement = render::Placement{host, placed, request.addresses};
    for (const auto& service : observed.recorded) {
        auto to = placed.find(service.name);
        if (to != placed.end() && to->second != host) {
            share.plan.moved[service.name] = to->second;
        }
    }
    return share;
}

// The hosts that failed, for the others' outcomes (which `failure` says how):
// a placed instance changes on all of its hosts or on none.
void hold_back(std::vector<HostOutcome>& outcomes, const std::string& failure = "could not be read") {
    std::string failed;
    for (const auto& outcome : outcomes) {
        if (outcome.error) {
            failed += (failed.empty() ? "" : ", ") + outcome.host;
        }
    }
    for (auto& outcome : outcomes) {
        if (!outcome.error) {
            outcome.error = Error(ErrorKind::operation_failed,
                                  "left unchanged: the instance's services are placed over all of its hosts, and " +
                                      failed + " " + failure)
                                .on_host(outcome.host);
        }
    }
}

bool any_failed(const std::vector<HostOutcome>& outcomes) {
    return std::any_of(outcomes.begin(), outcomes.end(), [](const auto& outcome) { return outcome.error.has_value(); });
}

// A placed instance, planned (plan_only) or deployed: every host is opened
// (locked and read for a deploy, read for plan) before the placement is worked
// out from all of them; every problem that a host's state or the placement
// reveals is found, and every host planned, before any host changes.
std::vector<HostOutcome> placed(const DeployRequest& request, bool plan_only, events::Reporter& reporter) {
    std::vector<Connection> connections = connect_all(request.targets);
    std::optional<std::vector<std::string>> images;
    if (plan_only) {
        images = images_of(*render_at(request, 1));
    }
    std::vector<HostOutcome> outcomes;
    std::vector<std::unique_ptr<ops::Session>> sessions(connections.size());
    std::vector<std::vector<router::Route>> routes(connections.size());
    ops::on_each(connections, outcomes, [&](size_t i) {
        sessions[i] = std::make_unique<ops::Session>(*connections[i].runner,
                                                     session_options(request, connections[i].host, plan_only, images));
        routes[i] = routes_on(*connections[i].runner, request);
    });
    if (any_failed(outcomes)) {
        hold_back(outcomes);
        return outcomes;
    }
    std::vector<const state::HostState*> observed;
    std::vector<std::string> hosts;
    for (size_t i = 0; i < connections.size(); ++i) {
        observed.push_back(&sessions[i]->observed());
        hosts.push_back(connections[i].host);
    }
    auto placement = placement_of(request, observed, hosts);
    check_placement(request, placement);
    check_domains_free(request, placement, hosts, routes);
    std::vector<DeployRequest> shares;
    for (size_t i = 0; i < connections.size(); ++i) {
        shares.push_back(share_of(request, hosts[i], placement, sessions[i]->observed()));
    }
    ops::on_each(connections, outcomes, [&](size_t i) {
        plan_host(outcomes[i], shares[i], sessions[i]->observed(), sessions[i]->runtime());
    });
    if (plan_only) {
        return outcomes;
    }
    if (any_failed(outcomes)) {
        hold_back(outcomes, "could not be planned");
        return outcomes;
    }
    state::RevisionInfo provenance = provenance_of(request);
    exec::LocalRunner local;
    images::LocalImages local_images(local);
    ops::on_each(connections, outcomes, [&](size_t i) {
        ops::Session& session = *sessions[i];
        state::HostState before = session.observed();
        apply_planned(outcomes[i], session, shares[i], provenance, local_images, reporter);
        sync_router(outcomes[i], session.reader(), shares[i], before, reporter);
    });
    return outcomes;
}

}  // namespace

render::Placement first_placement(const render::Source& source, const render::RenderOptions& options,
                                  const infra::Infrastructure& infrastructure, const infra::Instance& instance) {
    std::vector<std::string> services;
    for (const auto& service : render::render(source, options).services) {
        services.push_back(service.name);
    }
    render::Placement placement{"", infra::place(services, instance, {}), {}};
    for (const auto& host : infrastructure.hosts) {
        placement.addresses[host.name] = host.reachable_at();
    }
    return placement;
}

render::SwarmOptions swarm_options(const infra::Infrastructure& infrastructure, const infra::Instance& instance) {
    render::SwarmOptions swarm;
    swarm.replicas = instance.scale;
    for (const auto& [service, node] : instance.place) {
        swarm.constraints[service].push_back("node.hostname==" + node);
    }
    for (const auto& [service, labels] : instance.place_labels) {
        for (const auto& [name, value] : labels) {
            swarm.constraints[service].push_back("node.labels." + name + "==" + value);
        }
    }
    swarm.endpoint_mode = instance.endpoint_mode;
    swarm.publish_mode = instance.publish_mode;
    swarm.registry = infrastructure.registry;
    return swarm;
}

std::vector<HostOutcome> plan_all(const DeployRequest& request) {
    if (request.placement) {
        events::SilentReporter silent;
        return placed(request, true, silent);
    }
    auto images = images_of(*render_at(request, 1));
    return on_every_host<HostOutcome>(request.targets, [&](HostOutcome& outcome, exec::Runner& runner) {
        ops::Session session(runner, session_options(request, runner.host(), true, images));
        plan_host(outcome, request, session.observed(), session.runtime());
    });
}

std::vector<HostOutcome> deploy_all(const DeployRequest& request, events::Reporter& reporter) {
    if (request.placement) {
        return placed(request, false, reporter);
    }
    state::RevisionInfo provenance = provenance_of(request);
    exec::LocalRunner local;
    images::LocalImages local_images(local);  // --build-local: each image built once for every host
    return on_every_host<HostOutcome>(request.targets, [&](HostOutcome& outcome, exec::Runner& runner) {
        // Lock and read the state in one round trip (a dry run only reads).
        ops::Session session(runner, session_options(request, runner.host(), false));
        // Plan: what the template wants against what runs.
        plan_host(outcome, request, session.observed(), session.runtime());
        state::HostState before = session.observed();
        apply_planned(outcome, session, request, provenance, local_images, reporter);
        // A swarm instance's domains (plain ones come with a placement).
        sync_router(outcome, session.reader(), request, before, reporter);
    });
}

}  // namespace calzion::deploy
