#include "common.hpp"

#include "render/sources.hpp"
#include "terminal.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

extern char** environ;

namespace calzion::cli {

std::map<std::string, std::string> process_environment() {
    std::map<std::string, std::string> values;
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        std::string pair = *entry;
        size_t equals = pair.find('=');
        if (equals != std::string::npos && equals > 0) {
            values.emplace(pair.substr(0, equals), pair.substr(equals + 1));
        }
    }
    return values;
}

render::Variables variables_for(const Invocation& run) {
    render::VariableSources sources;
    sources.set = run.global.set;
    sources.vars_files = run.global.vars_files;
    sources.environment = process_environment();
    return render::gather_variables(sources);
}

deploy::Targets targets_for(const Invocation& run) {
    deploy::Targets targets;
    targets.hosts = run.global.hosts;
    targets.ssh.config_file = run.global.ssh_config;
    targets.ssh.accept_new_host_key = run.global.accept_new_host_key;
    return targets;
}

int duration_seconds(const std::string& text, const std::string& option) {
    size_t digits = text.find_first_not_of("0123456789");
    std::string number = text.substr(0, digits);
    std::string unit = digits == std::string::npos ? "s" : text.substr(digits);
    int scale = unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : 0;
    if (number.empty() || number.size() > 6 || scale == 0) {
        throw Error(ErrorKind::usage, option + " takes a duration such as 30, 30s, 2m or 1h, not " + util::quoted(text));
    }
    return std::stoi(number) * scale;
}

int exit_for_host_errors(const std::vector<std::optional<Error>>& errors, const Invocation& run) {
    std::optional<Error> worst = deploy::worst_of(errors);
    if (!worst) {
        return 0;
    }
    if (!run.global.json) {
        throw *worst;
    }
    print_error(*worst, use_color(run.global.color));
    return exit_code_for(worst->kind());
}

}  // namespace calzion::cli
