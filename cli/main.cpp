// calzion: deploy multi-service applications from YAML templates to Docker hosts
// over SSH. This file parses the command line, runs one command, and holds the only
// catch, which turns every failure into a message and an exit code (calzion(1), EXIT STATUS).

#include <csignal>
#include <iostream>
#include <map>

#include "commands.hpp"
#include "common.hpp"
#include "invocation.hpp"
#include "output/error_json.hpp"
#include "ssh/connect.hpp"
#include "terminal.hpp"
#include "util/error.hpp"

namespace {

using calzion::cli::Invocation;

int dispatch(const Invocation& run) {
    static const std::map<std::string, int (*)(const Invocation&)> commands = {
        {"validate", calzion::cli::run_validate},
        {"render", calzion::cli::run_render},
        {"init", calzion::cli::run_init},
        {"plan", calzion::cli::run_plan},
        {"deploy", calzion::cli::run_deploy},
        {"status", calzion::cli::run_status},
        {"list", calzion::cli::run_list},
        {"destroy", calzion::cli::run_destroy},
        {"history", calzion::cli::run_history},
        {"rollback", calzion::cli::run_rollback},
        {"restart", calzion::cli::run_lifecycle},
        {"stop", calzion::cli::run_lifecycle},
        {"start", calzion::cli::run_lifecycle},
        {"lock", calzion::cli::run_lock},
        {"hosts check", calzion::cli::run_hosts_check},
        {"logs", calzion::cli::run_logs},
        {"exec", calzion::cli::run_exec},
        {"router sync", calzion::cli::run_router_sync},
        {"pipeline validate", calzion::cli::run_pipeline_validate},
        {"pipeline run", calzion::cli::run_pipeline_run},
        {"pipeline enqueue", calzion::cli::run_pipeline_enqueue},
        {"pipeline work", calzion::cli::run_pipeline_work},
        {"ship", calzion::cli::run_ship},
        {"jobs", calzion::cli::run_jobs},
        {"job show", calzion::cli::run_job_show},
        {"job logs", calzion::cli::run_job_logs},
        {"job cancel", calzion::cli::run_job_cancel},
    };
    return commands.at(run.command)(run);
}

// Whether --json was given, known before parsing can fail.
bool wants_json(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        if (std::string(argv[i]) == "--json") {
            return true;
        }
        if (std::string(argv[i]) == "--") {
            return false;
        }
    }
    return false;
}

// The colour setting must be known before parsing can fail, so peek at it.
std::string color_setting(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg.rfind("--color=", 0) == 0) {
            return arg.substr(8);
        }
        if (arg == "--color" && i + 1 < argc) {
            return argv[i + 1];
        }
    }
    return "auto";
}

}  // namespace

int main(int argc, char** argv) {
    bool color = calzion::cli::use_color(color_setting(argc, argv));
    std::string command;  // known once the command line is parsed
    try {
        auto run = calzion::cli::parse_command_line(argc, argv);
        if (!run) {
            return 0;
        }
        command = run->command;
        int code = dispatch(*run);
        if (run->global.verbose) {
            std::cerr << "calzion: ssh channels opened: " << calzion::ssh::channels_opened() << "\n";
        }
        return code;
    } catch (const calzion::Error& error) {
        calzion::cli::print_error(error, color);
        // Under --json stdout holds one document whatever happens.
        if (wants_json(argc, argv) && !calzion::cli::json_printed()) {
            std::cout << calzion::output::error_to_json(command, error);
        }
        return calzion::exit_code_for(error.kind());
    } catch (const std::exception& error) {
        // A bug, not a user error: say so plainly rather than crash.
        calzion::Error internal(calzion::ErrorKind::operation_failed, std::string("internal error: ") + error.what());
        calzion::cli::print_error(internal, color);
        if (wants_json(argc, argv) && !calzion::cli::json_printed()) {
            std::cout << calzion::output::error_to_json(command, internal);
        }
        return 1;
    }
}
