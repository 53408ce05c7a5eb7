#include "job_request.hpp"

#include "common.hpp"
#include "deploy_request.hpp"
#include "tmpl/names.hpp"
#include "util/fs.hpp"
#include "util/strings.hpp"

namespace calzion::cli {

namespace {

constexpr const char* k_pipeline_file = ".cion.yml";

// A preview instance "<instance>-<suffix>" for --instance-suffix.
Invocation with_instance_suffix(const Invocation& run) {
    Invocation scoped = run;
    if (!run.instance_suffix.empty()) {
        scoped.instance = run.instance + "-" + run.instance_suffix;
    }
    tmpl::check_instance_name(scoped.instance);
    return scoped;
}

// Where an instance's jobs run: its builder in the infrastructure file, else
// its first host.
std::string job_host(const Invocation& run, const deploy::Targets& targets) {
    if (const auto& infrastructure = infrastructure_for(run)) {
        if (const infra::Instance* instance = infrastructure->instance(run.instance)) {
            if (!instance->builder.empty()) {
                return instance->builder;
            }
        }
    }
    return targets.hosts_or_local().front();
}

}  // namespace

JobSetup job_setup(const Invocation& given, exec::Runner& local) {
    JobSetup setup;
    setup.run = with_instance_suffix(given);
    setup.source = pipeline::resolve_source(local, setup.run.repo, setup.run.ref, setup.run.template_file);
    setup.targets = targets_for(setup.run);
    setup.host = job_host(setup.run, setup.targets);
    setup.state_dir = setup.targets.state_dir_for(setup.host);
    return setup;
}

tmpl::Pipeline pipeline_for(const Invocation& run, exec::Runner& local, const pipeline::JobSource& source,
                            bool for_ship) {
    std::string text = util::read_file(run.template_file);
    if (tmpl::pipeline_section(tmpl::load_document(run.template_file, text)) != nullptr) {
        return tmpl::load_pipeline(run.template_file, text);
    }
    std::string file = std::string(k_pipeline_file) + "@" + source.commit.sha.substr(0, 12);
    std::optional<std::string> cion = pipeline::file_at(local, source, k_pipeline_file);
    if (!cion && for_ship) {
        tmpl::Pipeline deploy_only;
        deploy_only.file = run.template_file;
        return deploy_only;
    }
    if (!cion) {
        throw Error(ErrorKind::invalid_data, run.template_file + ": no pipeline: the template has no \"pipeline:\" "
                                                 "section and " + util::quoted(source.commit.repo) + " has no " +
                                                 k_pipeline_file + " at " + source.commit.sha.substr(0, 12));
    }
    return tmpl::load_pipeline(file, *cion);
}


// The notify command of a job: --notify, else the pipeline's. A .cion.yml is
// the commit's, not the user's: its notify would run any commit's command on
// this machine, so it is not run.
std::optional<pipeline::NotifyCommand> notify_command(const Invocation& run, const tmpl::Pipeline& pipeline,
                                                      events::Reporter& reporter) {
    std::chrono::seconds timeout(pipeline.notify_timeout);
    if (!run.notify.empty()) {
        return pipeline::NotifyCommand{{run.notify}, timeout};
    }
    if (pipeline.notify.empty()) {
        return std::nullopt;
    }
    if (util::starts_with(pipeline.file, k_pipeline_file)) {
        reporter.event({events::Event::Kind::note, "", "",
                        "the notify of " + std::string(k_pipeline_file) + " is not run: a commit's file runs "
                        "nothing on this machine; give --notify, or notify in the template's pipeline"});
        return std::nullopt;
    }
    return pipeline::NotifyCommand{pipeline.notify, timeout};
}

pipeline::JobRequest job_request_for(const Invocation& run, exec::Runner& local, pipeline::JobSource source,
                                     bool for_ship, const std::string& state_dir, events::Reporter& reporter) {
    pipeline::JobRequest request;
    request.pipeline = pipeline_for(run, local, source, for_ship);
    if (for_ship) {
        request.pipeline.release.reset();
        request.pipeline.release_deploys = true;
    }
    request.source = std::move(source);
    request.instance = run.instance;
    request.state_dir = state_dir;
    if (request.pipeline.release_deploys) {
        request.deploy = deploy_request_for(run, {false, images::Checkout{request.source.repository,
                                                                           request.source.commit.sha}});
        request.deploy->git_commit = request.source.commit.sha;
        request.deploy->apply.wait_timeout = run.wait_timeout;
    }
    if (auto command = notify_command(run, request.pipeline, reporter)) {
        request.notifier = std::make_shared<pipeline::CommandNotifier>(local, std::move(*command), reporter);
    }
    return request;
}

}  // namespace calzion::cli
