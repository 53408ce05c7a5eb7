// validate, render, init: the commands that work on a template alone, no host.

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "common.hpp"
#include "deploy/deploy.hpp"
#include "render/deployment_json.hpp"
#include "render/render.hpp"
#include "output/starters.hpp"
#include "tmpl/starters.hpp"
#include "util/error.hpp"
#include "util/fs.hpp"
#include "util/strings.hpp"

namespace calzion::cli {

int run_validate(const Invocation& run) {
    render::Source source = render::load_source(run.template_file);
    render::validate(source);
    check_infrastructure(run, source);
    if (run.global.json) {
        nlohmann::json out = {{"template", run.template_file}, {"valid", true}};
        if (const auto& infrastructure = infrastructure_for(run)) {
            out["infrastructure"] = infrastructure->file;
        }
        print_json(run, out.dump());
    } else if (!run.global.quiet) {
        const auto& infrastructure = infrastructure_for(run);
        std::cerr << run.template_file << ": ok" << (infrastructure ? ", with " + infrastructure->file : "") << "\n";
    }
    return 0;
}

int run_render(const Invocation& run) {
    render::Source source = render::load_source(run.template_file);
    check_infrastructure(run, source);
    render::RenderOptions options;
    options.instance = run.instance;
    options.revision = run.revision.value_or(1);
    options.variables = variables_for(run);
    const auto& infrastructure = infrastructure_for(run);
    if (const infra::Instance* instance = infrastructure ? infrastructure->instance(run.instance) : nullptr) {
        options.domains = instance->domains;
        if (instance->backend == "swarm") {
            options.swarm = deploy::swarm_options(*infrastructure, *instance);  // Swarm places the tasks
        } else {
            options.placement = deploy::first_placement(source, options, *infrastructure, *instance);
        }
    }
    render::Deployment deployment = render::render(source, options);
    if (run.global.json) {
        nlohmann::ordered_json out = {{"instance", run.instance}, {"deployment", render::deployment_to_json(deployment)}};
        print_json(run, out.dump());
    } else if (run.format == "json") {
        std::cout << render::deployment_to_json(deployment).dump(2) << "\n";
    } else {
        std::cout << render::deployment_to_yaml(deployment);
    }
    return 0;
}

int run_init(const Invocation& run) {
    if (run.list && run.global.json) {
        print_json(run, output::starters_json(tmpl::embedded_starters()));
        return 0;
    }
    if (run.list) {
        for (const auto& starter : tmpl::embedded_starters()) {
            std::cout << starter.name << "\t" << tmpl::starter_description(starter) << "\n";
        }
        return 0;
    }
    std::string name = run.starter.empty() ? "single" : run.starter;
    const tmpl::EmbeddedStarter* starter = tmpl::find_starter(name);
    if (starter == nullptr) {
        std::string names;
        for (const auto& s : tmpl::embedded_starters()) {
            names += (names.empty() ? "" : ", ") + s.name;
        }
        throw Error(ErrorKind::usage, "no starter " + util::quoted(name) + " (there are: " + names + ")");
    }
    // -o DIR writes DIR/calzion.yaml, as a directory given to cp would.
    std::string file = std::filesystem::is_directory(run.output)
                           ? (std::filesystem::path(run.output) / "calzion.yaml").string()
                           : run.output;
    if (std::filesystem::is_directory(file)) {
        throw Error(ErrorKind::operation_failed, util::quoted(file) + " is a directory: name a file with -o");
    }
    bool exists = std::filesystem::exists(file);
    if (exists && !run.force) {
        throw Error(ErrorKind::operation_failed, util::quoted(file) + " already exists: use --force to overwrite it");
    }
    util::write_file_atomic(file, starter->text);
    if (run.global.json) {
        print_json(run, output::init_json(file, name, exists));
    }
    if (!run.global.quiet) {
        std::cerr << "wrote " << file << " from the " << util::quoted(name) << " starter; next: calzion render "
                  << file << " myapp-staging\n";
    }
    return 0;
}

}  // namespace calzion::cli
