#include "deploy/deploy.hpp"

#include <algorithm>
#include <future>
#include <optional>

#include "build/builder.hpp"
#include "deploy/converge.hpp"
#include "deploy/git_commit.hpp"
#include "exec/dry_run_runner.hpp"
#include "exec/local_runner.hpp"
#include "infra/placement.hpp"
#include "router/observe.hpp"
#include "router/sync.hpp"
#include "state/ownership.hpp"
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

void plan_host(HostOutcome& outcome, const DeployRequest& request, const state::HostState& observed) {
    state::check_owner(observed, request.render.instance, outcome.host);
    outcome.revision_before = observed.current_revision;
    outcome.revision_after = observed.current_revision;
    outcome.deployment = render_at(request, std::max(1, observed.current_revision));
    outcome.plan = plan_for(*outcome.deployment, observed, plan_options(request, *outcome.deployment));
    if (outcome.plan.has_changes()) {
        outcome.revision_after = observed.current_revision + 1;
        outcome.deployment = render_at(request, outcome.revision_after);
        outcome.plan = plan_for(*outcome.deployment, observed, plan_options(request, *outcome.deployment));
    }
}

ApplyOptions apply_options(const DeployRequest& request, const render::Deployment& deployment) {
    ApplyOptions options = request.apply;
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
    info.git_commit = git_commit_of(local, request.source.file);
    return info;
}

// Build the images the plan marks, through dry-run runners for a dry run.
void build_for_host(const HostOutcome& outcome, exec::Runner& runner, const DeployRequest& request,
                    build::LocalImages& local_images, report::Reporter& reporter) {
    exec::LocalRunner local;
    std::optional<exec::DryRunRunner> dry_host;
    std::optional<exec::DryRunRunner> dry_local;
    report::SilentReporter silent;
    if (request.dry_run) {
        dry_host.emplace(runner.host(), *request.dry_run);
        dry_local.emplace("local", *request.dry_run);
    }
    build::BuildRunners runners{dry_host ? static_cast<exec::Runner&>(*dry_host) : runner,
                                dry_local ? static_cast<exec::Runner&>(*dry_local) : local,
                                request.build_local ? &local_images : nullptr};
    build::build_images(outcome.plan, request.builds, runners, request.dry_run ? silent : reporter);
}

LockedState lock_and_read_host(exec::Runner& runner, const DeployRequest& request) {
    // Lock and read the state in one round trip (a dry run only reads).
    return lock_and_read_for(runner, request.targets.state_dir_for(runner.host()), request.render.instance, "deploy",
                             request.lock_timeout, request.dry_run != nullptr, images_of(*render_at(request, 1)));
}

// Build and apply what plan_host planned.
void apply_planned(HostOutcome& outcome, exec::Runner& runner, const DeployRequest& request, LockedState& locked,
                   const state::RevisionInfo& provenance, build::LocalImages& local_images,
                   report::Reporter& reporter) {
    // Build the images of `git`/`build` services the host lacks, before anything changes.
    build_for_host(outcome, runner, request, local_images, reporter);
    // Apply, record what actually runs as the next revision, unlock.
    ChangeOptions change{apply_options(request, *outcome.deployment), request.dry_run, provenance};
    apply_and_record(outcome, runner, locked, change, reporter);
}

void change_host(HostOutcome& outcome, exec::Runner& runner, const DeployRequest& request, LockedState& locked,
                 const state::RevisionInfo& provenance, build::LocalImages& local_images,
                 report::Reporter& reporter) {
    // Plan: what the template wants against what runs.
    plan_host(outcome, request, locked.observed);
    apply_planned(outcome, runner, request, locked, provenance, local_images, reporter);
}

// After a deploy on a host where the instance has or had domains: the router
// follows what is now recorded there.
void sync_router(HostOutcome& outcome, exec::Runner& runner, const DeployRequest& request,
                 const state::HostState& observed, report::Reporter& reporter) {
    bool routed = std::any_of(observed.recorded.begin(), observed.recorded.end(),
                              [](const auto& service) { return !service.routes.empty(); });
    for (const auto& service : outcome.deployment->services) {
        routed = routed || !service.routes.empty();
    }
    if (!routed || request.dry_run != nullptr) {
        return;
    }
    router::SyncResult result = router::sync(runner, request.targets.state_dir_for(runner.host()), request.targets.router);
    std::string domains = util::comma_list(result.domains);
    reporter.event({report::Event::Kind::done, runner.host(), "",
                    result.changed() ? "router serves " + (domains.empty() ? std::string("no domain") : domains)
                                     : "router unchanged"});
}

void deploy_host(HostOutcome& outcome, exec::Runner& runner, const DeployRequest& request,
                 const state::RevisionInfo& provenance, build::LocalImages& local_images,
                 report::Reporter& reporter) {
    LockedState locked = lock_and_read_host(runner, request);
    change_host(outcome, runner, request, locked, provenance, local_images, reporter);
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

// Run `work(i)` for every i below `count` at once, keeping Errors per index.
template <typename Work>
void in_parallel(std::vector<HostOutcome>& outcomes, Work work) {
    std::vector<std::future<void>> pending;
    for (size_t i = 0; i < outcomes.size(); ++i) {
        pending.push_back(std::async(std::launch::async, [&, i] {
            try {
                work(i);
            } catch (const Error& error) {
                outcomes[i].error = error.host().empty() ? error.on_host(outcomes[i].host) : error;
            }
        }));
    }
    for (auto& future : pending) {
        future.get();
    }
}

std::vector<HostOutcome> outcomes_for(const std::vector<Connection>& connections) {
    std::vector<HostOutcome> outcomes(connections.size());
    for (size_t i = 0; i < connections.size(); ++i) {
        outcomes[i].host = connections[i].host;
        outcomes[i].error = connections[i].error;
    }
    return outcomes;
}

std::vector<HostOutcome> deploy_placed(const DeployRequest& request, report::Reporter& reporter) {
    std::vector<Connection> connections = connect_all(request.targets);
    std::vector<HostOutcome> outcomes = outcomes_for(connections);
    std::vector<std::optional<LockedState>> locked(connections.size());
    std::vector<std::vector<router::Route>> routes(connections.size());
    in_parallel(outcomes, [&](size_t i) {
        if (connections[i].runner) {
            locked[i] = lock_and_read_host(*connections[i].runner, request);
            routes[i] = routes_on(*connections[i].runner, request);
        }
    });
    if (std::any_of(outcomes.begin(), outcomes.end(), [](const auto& outcome) { return outcome.error.has_value(); })) {
        hold_back(outcomes);
        return outcomes;
    }
    std::vector<const state::HostState*> observed;
    std::vector<std::string> hosts;
    for (size_t i = 0; i < connections.size(); ++i) {
        observed.push_back(&locked[i]->observed);
        hosts.push_back(connections[i].host);
    }
    auto placed = placement_of(request, observed, hosts);
    // Every problem that a host's state or the placement reveals is found
    // before any host changes: every host is planned first.
    check_placement(request, placed);
    check_domains_free(request, placed, hosts, routes);
    std::vector<DeployRequest> shares;
    for (size_t i = 0; i < connections.size(); ++i) {
        shares.push_back(share_of(request, hosts[i], placed, locked[i]->observed));
    }
    in_parallel(outcomes, [&](size_t i) { plan_host(outcomes[i], shares[i], locked[i]->observed); });
    if (std::any_of(outcomes.begin(), outcomes.end(), [](const auto& outcome) { return outcome.error.has_value(); })) {
        hold_back(outcomes, "could not be planned");
        return outcomes;
    }
    state::RevisionInfo provenance = provenance_of(request);
    exec::LocalRunner local;
    build::LocalImages local_images(local);
    in_parallel(outcomes, [&](size_t i) {
        state::HostState before = locked[i]->observed;
        apply_planned(outcomes[i], *connections[i].runner, shares[i], *locked[i], provenance, local_images, reporter);
        sync_router(outcomes[i], *connections[i].runner, shares[i], before, reporter);
    });
    return outcomes;
}

std::vector<HostOutcome> plan_placed(const DeployRequest& request) {
    std::vector<Connection> connections = connect_all(request.targets);
    std::vector<HostOutcome> outcomes = outcomes_for(connections);
    std::vector<state::HostState> observed(connections.size());
    std::vector<std::vector<router::Route>> routes(connections.size());
    auto images = images_of(*render_at(request, 1));
    in_parallel(outcomes, [&](size_t i) {
        if (connections[i].runner) {
            observed[i] = state::read_state(*connections[i].runner, request.targets.state_dir_for(outcomes[i].host),
                                            request.render.instance, images);
            routes[i] = routes_on(*connections[i].runner, request);
        }
    });
    if (std::any_of(outcomes.begin(), outcomes.end(), [](const auto& outcome) { return outcome.error.has_value(); })) {
        hold_back(outcomes);
        return outcomes;
    }
    std::vector<const state::HostState*> views;
    std::vector<std::string> hosts;
    for (size_t i = 0; i < connections.size(); ++i) {
        views.push_back(&observed[i]);
        hosts.push_back(outcomes[i].host);
    }
    auto placed = placement_of(request, views, hosts);
    check_placement(request, placed);
    check_domains_free(request, placed, hosts, routes);
    in_parallel(outcomes, [&](size_t i) { plan_host(outcomes[i], share_of(request, hosts[i], placed, observed[i]), observed[i]); });
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

std::vector<HostOutcome> plan_all(const DeployRequest& request) {
    if (request.placement) {
        return plan_placed(request);
    }
    auto images = images_of(*render_at(request, 1));
    return on_every_host<HostOutcome>(request.targets, [&](HostOutcome& outcome, exec::Runner& runner) {
        state::HostState observed =
            state::read_state(runner, request.targets.state_dir_for(runner.host()), request.render.instance, images);
        plan_host(outcome, request, observed);
    });
}

std::vector<HostOutcome> deploy_all(const DeployRequest& request, report::Reporter& reporter) {
    if (request.placement) {
        return deploy_placed(request, reporter);
    }
    state::RevisionInfo provenance = provenance_of(request);
    exec::LocalRunner local;
    build::LocalImages local_images(local);  // --build-local: each image built once for every host
    return on_every_host<HostOutcome>(request.targets, [&](HostOutcome& outcome, exec::Runner& runner) {
        deploy_host(outcome, runner, request, provenance, local_images, reporter);
    });
}

}  // namespace calzion::deploy
