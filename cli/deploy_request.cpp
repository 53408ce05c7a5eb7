// What plan, deploy and a pipeline's deploy release need, from the command line.

#include "deploy_request.hpp"

#include "common.hpp"
#include "deploy/secrets.hpp"
#include "exec/local_runner.hpp"

namespace calzion::cli {

deploy::DeployRequest deploy_request_for(const Invocation& run, const images::ResolveOptions& builds) {
    deploy::DeployRequest request;
    request.source = render::load_source(run.template_file);
    check_infrastructure(run, request.source);
    request.render.instance = run.instance;
    request.render.variables = variables_for(run);
    const auto& infrastructure = infrastructure_for(run);
    const infra::Instance* instance = infrastructure ? infrastructure->instance(run.instance) : nullptr;
    bool swarm = instance != nullptr && instance->backend == "swarm";
    if (swarm) {
        request.render.swarm = deploy::swarm_options(*infrastructure, *instance);
    }
    render::Deployment first = render::render(request.source, request.render);
    // Services built from source: the commit of their repository names the image.
    exec::LocalRunner local;
    request.builds = images::resolve(local, first, request.source.file, builds);
    request.render.commits = images::tags_of(request.builds);
    request.build_local = run.build_local;
    // Plan fails as deploy would on a secret set nowhere; only deploy keeps the values.
    auto secret_values = deploy::resolve_secrets(first, process_environment(), run.secrets_files);
    if (run.command != "plan") {
        request.secret_values = std::move(secret_values);
    }
    request.targets = targets_for(run);
    if (instance != nullptr) {
        request.render.domains = instance->domains;
        request.infra_text = infrastructure->text;
    }
    if (swarm) {
        // Swarm places the tasks: calzion works through the manager alone,
        // and reaches the other nodes only to load images there.
        for (const auto& node : instance->hosts) {
            if (node != instance->manager) {
                request.swarm_nodes.push_back(node);
            }
        }
    } else if (instance != nullptr) {
        request.placement = *instance;
        for (const auto& host : infrastructure->hosts) {
            request.addresses[host.name] = host.reachable_at();
        }
    }
    request.plan.force = run.force;
    request.plan.prune = run.prune;
    // Given, --pull decides for every service; else each service's `pull` does.
    request.apply.pull = render::pull_policy_named(run.pull);
    request.apply.wait_timeout = run.wait_timeout;
    request.lock_timeout = duration_seconds(run.global.lock_timeout, "--lock-timeout");
    return request;
}

}  // namespace calzion::cli
