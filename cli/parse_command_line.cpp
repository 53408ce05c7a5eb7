// The only translation unit that includes CLI11: it is slow to compile.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iostream>
#include <sys/stat.h>

#include "invocation.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace calzion::cli {

namespace {

void add_global_options(CLI::App& app, GlobalOptions& global) {
    app.add_option("--host", global.hosts, "Target host: [user@]host[:port], an ssh_config alias, or local (repeatable)")
        ->type_name("HOST")
        ->allow_extra_args(false);
    app.add_option("--ssh-config", global.ssh_config, "SSH config file, like ssh -F (default ~/.ssh/config)")
        ->type_name("FILE");
    app.add_option("--infra", global.infra,
                   "Infrastructure file (default calzion.infra.yaml beside the template, if present)")
        ->type_name("FILE");
    app.add_flag("--accept-new-host-key", global.accept_new_host_key,
                 "Trust and record the key of a host not yet in known_hosts");
    app.add_option("--lock-timeout", global.lock_timeout, "Wait this long for another deploy's lock (e.g. 30s, 2m)")
        ->type_name("DURATION");
    // Each occurrence takes one value, so that positionals after it stay positionals.
    app.add_option("--set", global.set, "Set a variable (strongest source)")
        ->type_name("NAME=VALUE")
        ->allow_extra_args(false);
    app.add_option("--vars-file", global.vars_files, "Read variables from a dotenv file")
        ->type_name("FILE")
        ->allow_extra_args(false);
    app.add_flag("--json", global.json, "Print one JSON document on stdout");
    app.add_flag("-q,--quiet", global.quiet, "Print only errors");
    app.add_flag("-v,--verbose", global.verbose, "Print more detail");
    app.add_option("--color", global.color, "Colour output: auto, always or never")
        ->check(CLI::IsMember({"auto", "always", "never"}))
        ->type_name("WHEN");
}

void add_template_commands(CLI::App& app, Invocation& run) {
    auto* validate = app.add_subcommand("validate", "Check a template and print every problem");
    validate->add_option("template", run.template_file, "Template file")->required();

    auto* render = app.add_subcommand("render", "Print the resolved deployment of an instance");
    render->add_option("template", run.template_file, "Template file")->required();
    render->add_option("instance", run.instance, "Instance name")->required();
    render->add_option("--format", run.format, "Output format: yaml or json")
        ->check(CLI::IsMember({"yaml", "json"}));
    render->add_option("--revision", run.revision, "Value of ${revision} (default 1)")
        ->check(CLI::Range(1, 1000000000));

    auto* init = app.add_subcommand("init", "Write a starter template into the current directory");
    init->add_option("starter", run.starter, "Starter name (see --list; default single)");
    init->add_option("-o,--output", run.output, "File to write (default calzion.yaml)");
    init->add_flag("--force", run.force, "Overwrite an existing file");
    init->add_flag("--list", run.list, "List the starters");
}

// CLI11 says "a subcommand is required" for a mistyped command; say what is wrong.
void check_command_name(const CLI::App& app, int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg.empty() || arg.front() == '-') {
            // Skip the value of a global option that takes one.
            bool takes_value = arg == "--set" || arg == "--vars-file" || arg == "--color" || arg == "--host" ||
                               arg == "--ssh-config" || arg == "--lock-timeout" || arg == "--infra";
            i += takes_value ? 1 : 0;
            continue;
        }
        std::vector<std::string> names;
        for (const auto* command : app.get_subcommands([](const CLI::App*) { return true; })) {
            names.push_back(command->get_name());
        }
        if (std::find(names.begin(), names.end(), arg) == names.end()) {
            std::string guess = util::did_you_mean(arg, names);
            throw Error(ErrorKind::usage, "unknown command " + util::quoted(arg) +
                                              (guess.empty() ? "" : ", did you mean " + util::quoted(guess) + "?") +
                                              " (see calzion --help)");
        }
        return;
    }
}

// --ssh-config names a file, as ssh -F does: a missing file or a directory is a
// mistake to report, not an empty config.
void check_ssh_config(const std::string& path) {
    if (path.empty()) {
        return;
    }
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) {
        std::string reason = std::strerror(errno);
        reason.front() = static_cast<char>(std::tolower(static_cast<unsigned char>(reason.front())));
        throw Error(ErrorKind::usage, "cannot read --ssh-config " + util::quoted(path) + ": " + reason);
    }
    if (S_ISDIR(info.st_mode)) {
        throw Error(ErrorKind::usage,
                    "cannot read --ssh-config " + util::quoted(path) + ": it is a directory, not a file");
    }
}

void add_deploy_options(CLI::App* command, Invocation& run) {
    command->add_option("template", run.template_file, "Template file")->required();
    command->add_option("instance", run.instance, "Instance name")->required();
    command->add_flag("--prune", run.prune, "Remove containers of services no longer in the template");
    command->add_flag("--force", run.force, "Replace every service, changed or not");
    command->add_flag("--allow-dirty", run.allow_dirty,
                      "Build git/build services from the working tree even with uncommitted changes");
    command->add_option("--secrets-file", run.secrets_files, "Read secrets from a dotenv file")
        ->type_name("FILE")
        ->allow_extra_args(false);
}

void add_host_commands(CLI::App& app, Invocation& run) {
    auto* plan = app.add_subcommand("plan", "Show what deploy would do on each host");
    add_deploy_options(plan, run);
    plan->add_flag("--detailed-exitcode", run.detailed_exitcode, "Exit 2 when there are changes, 0 when none");

    auto* deploy = app.add_subcommand("deploy", "Bring the hosts to the template's state and record a revision");
    add_deploy_options(deploy, run);
    deploy->add_flag("--dry-run", run.dry_run, "Print the exact remote commands instead of running them");
    deploy->add_flag("--build-local", run.build_local,
                     "Build images here and send them to the hosts (docker save | docker load)");
    deploy->add_option("--pull", run.pull, "Image pull policy for every service, over their own: missing, always or never")
        ->check(CLI::IsMember({"missing", "always", "never"}));
    deploy->add_option("--wait-timeout", run.wait_timeout, "Seconds a new container has to become ready")
        ->check(CLI::Range(1, 86400));

    auto* status = app.add_subcommand("status", "Show recorded revision, containers, health and drift");
    status->add_option("instance", run.instance, "Instance name (default: every instance on the hosts)");
    status->add_flag("--missing-ok", run.missing_ok, "An instance that is not on a host is no error");

    app.add_subcommand("list", "List the instances on the hosts");

    auto* destroy = app.add_subcommand("destroy", "Remove an instance's containers, network and records");
    destroy->add_option("instance", run.instance, "Instance name")->required();
    destroy->add_flag("--volumes", run.volumes, "Also delete its data: volume directories and named volumes");
    destroy->add_flag("--missing-ok", run.missing_ok, "An instance that is not on a host is no error");
}

void add_day_two_commands(CLI::App& app, Invocation& run) {
    auto* history = app.add_subcommand("history", "List an instance's revisions: when, who, template, what changed");
    history->add_option("instance", run.instance, "Instance name")->required();

    auto* rollback = app.add_subcommand("rollback", "Deploy an earlier revision again, from host state alone");
    rollback->add_option("instance", run.instance, "Instance name")->required();
    rollback->add_option("--to", run.to_revision, "Revision to go back to (default: the one before the current)")
        ->check(CLI::Range(1, 1000000000));
    rollback->add_option("--wait-timeout", run.wait_timeout, "Seconds a new container has to become ready")
        ->check(CLI::Range(1, 86400));

    for (const char* name : {"restart", "stop", "start"}) {
        std::string what = std::string(name) == "restart" ? "Restart" : std::string(name) == "stop" ? "Stop" : "Start";
        auto* lifecycle = app.add_subcommand(name, what + " an instance's containers, or only the services named");
        lifecycle->add_option("instance", run.instance, "Instance name")->required();
        lifecycle->add_option("services", run.services, "Services (default: all)");
    }

    auto* lock = app.add_subcommand("lock", "Show who holds an instance's lock");
    lock->add_option("instance", run.instance, "Instance name")->required();
    lock->add_flag("--break", run.break_lock, "Remove the lock (when its holder is gone)");

    auto* logs = app.add_subcommand("logs", "Print a service's container log, as docker logs does");
    logs->add_option("instance", run.instance, "Instance name")->required();
    logs->add_option("service", run.service, "Service name")->required();
    logs->add_flag("-f,--follow", run.follow, "Keep printing new lines until interrupted");
    logs->add_option("-n,--tail", run.tail, "Only the last N lines (or all)")->type_name("N");
    logs->add_option("--since", run.since, "Only lines since a time (2026-01-02T15:04:05) or for a while (10m)")
        ->type_name("TIME");
    logs->add_flag("-t,--timestamps", run.timestamps, "Prefix each line with its time");

    auto* exec = app.add_subcommand("exec", "Run a command in a service's container: exec INSTANCE SERVICE -- CMD...");
    exec->add_option("instance", run.instance, "Instance name")->required();
    exec->add_option("service", run.service, "Service name")->required();
    exec->add_option("command", run.exec_command, "The command and its arguments, after --")->required();
    exec->add_flag("-i,--interactive", run.interactive, "Forward stdin even when it is not a terminal");
    exec->add_flag("-T,--no-tty", run.no_tty, "Never allocate a terminal, even when stdin is one");
    exec->add_option("-u,--user", run.user, "User (name or uid[:gid]) to run as")->type_name("USER");
    exec->add_option("-w,--workdir", run.workdir, "Working directory inside the container")->type_name("DIR");

    auto* hosts = app.add_subcommand("hosts", "Work on the hosts themselves");
    hosts->require_subcommand(1);
    hosts->add_subcommand("check", "Check SSH, host key, docker and the state directory on every host");
}

void add_router_commands(CLI::App& app, Invocation& run) {
    auto* router = app.add_subcommand("router", "Work on the router that serves the instances' domains");
    router->require_subcommand(1);
    auto* sync = router->add_subcommand("sync", "Configure each host's router from the domains of its instances");
    sync->add_option("--image", run.router_image, "Router image (default nginx:1.27-alpine)")->type_name("IMAGE");
    sync->add_option("--http-port", run.http_port, "Host port the router serves HTTP on (default 80)")
        ->type_name("PORT")
        ->check(CLI::Range(1, 65535));
}

void add_pipeline_commands(CLI::App& app, Invocation& run) {
    auto* pipeline = app.add_subcommand("pipeline", "Run and check pipelines: build, tasks and release as containers");
    pipeline->require_subcommand(1);
    auto* validate = pipeline->add_subcommand("validate", "Check a template's pipeline or a .cion.yml, every problem at once");
    validate->add_option("file", run.template_file, "Template or pipeline file")->required();
    auto* pipeline_run = pipeline->add_subcommand("run", "Run the pipeline of an instance at a commit, as a job on its host");
    pipeline_run->add_option("template", run.template_file, "Template file")->required();
    pipeline_run->add_option("instance", run.instance, "Instance name")->required();
    pipeline_run->add_option("--ref", run.ref, "Branch, tag or commit to run (resolved once to a commit)")
        ->type_name("REF")
        ->required();
    pipeline_run->add_option("--repo", run.repo, "Repository: a path or URL (default: the one holding the template)")
        ->type_name("PATH|URL");
    pipeline_run->add_option("--secrets-file", run.secrets_files, "Read secrets from a dotenv file (for a deploy release)")
        ->type_name("FILE")
        ->allow_extra_args(false);
    pipeline_run->add_option("--wait-timeout", run.wait_timeout, "Seconds a new container has to become ready (deploy release)")
        ->check(CLI::Range(1, 86400));
    pipeline_run->add_option("--notify", run.notify, "Shell command run here on every job and step state change")
        ->type_name("CMD");
    pipeline_run->add_option("--instance-suffix", run.instance_suffix, "Run for the preview instance INSTANCE-SUFFIX")
        ->type_name("SUFFIX");

    auto* enqueue = pipeline->add_subcommand("enqueue", "Record a queued job of an instance at a commit, and return");
    enqueue->add_option("template", run.template_file, "Template file")->required();
    enqueue->add_option("instance", run.instance, "Instance name")->required();
    enqueue->add_option("--ref", run.ref, "Branch, tag or commit to run (resolved once to a commit)")
        ->type_name("REF")
        ->required();
    enqueue->add_option("--repo", run.repo, "Repository: a path or URL (default: the one holding the template)")
        ->type_name("PATH|URL");
    enqueue->add_flag("--deploy", run.deploy_release, "The release deploys the template at the commit, as ship's does");
    enqueue->add_option("--instance-suffix", run.instance_suffix, "Queue for the preview instance INSTANCE-SUFFIX")
        ->type_name("SUFFIX");
    auto* work = pipeline->add_subcommand("work", "Run the queued jobs of the instances on the hosts");
    work->add_option("instances", run.instances, "Instances (default: every instance with queued jobs)");
    work->add_flag("--once", run.once, "Run what is queued, then end (default: keep watching the queues)");
    work->add_flag("--no-coalesce", run.no_coalesce, "Every queued job releases, not only the newest");
    work->add_option("--notify", run.notify, "Shell command run here on every job and step state change")
        ->type_name("CMD");
    work->add_option("--secrets-file", run.secrets_files, "Read secrets from a dotenv file (for a deploy release)")
        ->type_name("FILE")
        ->allow_extra_args(false);

    auto* ship = app.add_subcommand("ship", "Build, test and deploy an instance at a commit: for cron and webhooks");
    ship->add_option("template", run.template_file, "Template file")->required();
    ship->add_option("instance", run.instance, "Instance name")->required();
    ship->add_option("--ref", run.ref, "Branch, tag or commit to ship (resolved once to a commit)")
        ->type_name("REF")
        ->required();
    ship->add_option("--repo", run.repo, "Repository: a path or URL (default: the one holding the template)")
        ->type_name("PATH|URL");
    ship->add_flag("--if-changed", run.if_changed,
                   "Do nothing when the commit is deployed already or was the last one tried and failed");
    ship->add_flag("--retry-failed", run.retry_failed, "With --if-changed: try a commit that failed last time again");
    ship->add_flag("--no-coalesce", run.no_coalesce, "Every queued job releases, not only the newest");
    ship->add_option("--notify", run.notify, "Shell command run here on every job and step state change")
        ->type_name("CMD");
    ship->add_option("--instance-suffix", run.instance_suffix, "Ship the preview instance INSTANCE-SUFFIX (e.g. pr-42)")
        ->type_name("SUFFIX");
    ship->add_option("--secrets-file", run.secrets_files, "Read secrets from a dotenv file")
        ->type_name("FILE")
        ->allow_extra_args(false);
    ship->add_option("--wait-timeout", run.wait_timeout, "Seconds a new container has to become ready")
        ->check(CLI::Range(1, 86400));

    auto* jobs = app.add_subcommand("jobs", "List the pipeline jobs recorded on the hosts");
    jobs->add_option("instance", run.instance, "Instance name (default: every instance on the hosts)");

    auto* job = app.add_subcommand("job", "Show, follow or cancel one pipeline job");
    job->require_subcommand(1);
    auto* show = job->add_subcommand("show", "Show a job's record: commit, state, steps");
    show->add_option("id", run.job_id, "Job id, like shop.12")->required();
    auto* logs = job->add_subcommand("logs", "Print a job's step logs");
    logs->add_option("id", run.job_id, "Job id, like shop.12")->required();
    logs->add_option("step", run.step, "Step (default: every step)");
    logs->add_flag("-f,--follow", run.follow, "Keep printing until the job ends");
    auto* cancel = job->add_subcommand("cancel", "Stop a running job's containers and record it canceled");
    cancel->add_option("id", run.job_id, "Job id, like shop.12")->required();
}

}  // namespace

std::optional<Invocation> parse_command_line(int argc, char** argv) {
    Invocation run;
    CLI::App app{"calzion: deploy multi-service applications from YAML templates to Docker hosts over SSH",
                 "calzion"};
    app.set_version_flag("--version", std::string("calzion ") + CALZION_VERSION);
    app.require_subcommand(1);
    app.fallthrough();
    add_global_options(app, run.global);
    add_template_commands(app, run);
    add_host_commands(app, run);
    add_day_two_commands(app, run);
    add_router_commands(app, run);
    add_pipeline_commands(app, run);
    try {
        check_command_name(app, argc, argv);
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
        std::cout << app.help();
        return std::nullopt;
    } catch (const CLI::CallForAllHelp&) {
        std::cout << app.help("", CLI::AppFormatMode::All);
        return std::nullopt;
    } catch (const CLI::CallForVersion&) {
        std::cout << app.version() << "\n";
        return std::nullopt;
    } catch (const CLI::ParseError& error) {
        // CLI11 has exit codes of its own (105, 106, 109...): a bad command line is 64.
        std::string message = error.what();
        if (!message.empty() && std::isupper(static_cast<unsigned char>(message.front()))) {
            message.front() = static_cast<char>(std::tolower(static_cast<unsigned char>(message.front())));
        }
        throw Error(ErrorKind::usage, message + " (see calzion --help)");
    }
    check_ssh_config(run.global.ssh_config);
    const CLI::App* command = app.get_subcommands().front();
    run.command = command->get_name();
    // Commands with subcommands of their own are named by both: "hosts check".
    if (!command->get_subcommands().empty()) {
        run.command += " " + command->get_subcommands().front()->get_name();
    }
    return run;
}

}  // namespace calzion::cli
