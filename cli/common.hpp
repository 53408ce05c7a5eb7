#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "deploy/targets.hpp"
#include "infra/infrastructure.hpp"
#include "invocation.hpp"
#include "render/interpolate.hpp"
#include "render/render.hpp"
#include "events/reporter.hpp"

namespace calzion::cli {

// The process environment as a map.
std::map<std::string, std::string> process_environment();

// The infrastructure file of --infra, or calzion.infra.yaml beside the template
// (in the current directory for commands without one), if there is one.
const std::optional<infra::Infrastructure>& infrastructure_for(const Invocation& run);

// Check the infrastructure file, if any, against the template: the services its
// `place`, `domains` and `scale` name (the instance's; every instance's when the
// command has none). Throws Error(invalid_data) located in the file.
void check_infrastructure(const Invocation& run, const render::Source& source);

// The variables of --set, --vars-file and the environment, strongest first.
render::Variables variables_for(const Invocation& run);

// The hosts of --host (none: local) and how to reach them. With an
// infrastructure file: the instance's hosts there (all of them for commands
// without an instance), --host choosing among them; an instance the file does
// not list needs --host (Error(usage)). A swarm instance's only host is its
// manager (--host may name it, and nothing else).
deploy::Targets targets_for(const Invocation& run);

// Where a command's progress goes, on stderr: with --quiet only failures, one
// line each; on a terminal that understands cursor movement a live display
// (not for --dry-run, whose commands go to stdout and would tear it); else one
// plain line per event. The live display shows `hosts` in that order, then any
// other host as it reports. Call finish() on it before printing the result.
std::unique_ptr<events::Reporter> make_reporter(const Invocation& run, const std::vector<std::string>& hosts = {});

// Seconds in "30", "30s", "2m" or "1h". Throws Error(usage) naming `option`.
int duration_seconds(const std::string& text, const std::string& option);

// Under --json, print `document` (the command's JSON object) on stdout in the
// envelope every document has (output::json_envelope), with `error` as its
// top-level error. Remembers that the document was printed.
void print_json(const Invocation& run, const std::string& document, const std::optional<Error>& error = std::nullopt);

// Whether print_json has printed this process's document.
bool json_printed();

// The exit code for per-host errors: 0 when there are none. First `output` is
// printed on stdout: under --json the command's JSON document, in its envelope
// with the worst error as top-level error; else text, if any. Then every error
// but the worst is printed on stderr, naming its host, and the worst is thrown
// (printed last, its exit code); under --json it is printed on stderr and its
// exit code returned.
int exit_for_host_errors(const std::vector<std::optional<Error>>& errors, const Invocation& run,
                         const std::string& output = "");

// exit_for_host_errors over outcomes that each have `std::optional<Error> error`.
template <typename Outcomes>
int finish_per_host(const Outcomes& outcomes, const Invocation& run, const std::string& output = "") {
    std::vector<std::optional<Error>> errors;
    for (const auto& outcome : outcomes) {
        errors.push_back(outcome.error);
    }
    return exit_for_host_errors(errors, run, output);
}

}  // namespace calzion::cli
