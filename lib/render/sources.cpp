#include "render/sources.hpp"

#include "tmpl/names.hpp"
#include "util/dotenv.hpp"
#include "util/error.hpp"
#include "util/fs.hpp"
#include "util/strings.hpp"

namespace calzion::render {

Variables gather_variables(const VariableSources& sources) {
    std::map<std::string, std::string> set;
    for (const auto& pair : sources.set) {
        size_t equals = pair.find('=');
        if (equals == std::string::npos) {
            throw Error(ErrorKind::usage, "--set takes NAME=value, not " + util::quoted(pair));
        }
        // A name no reference can spell is a typo; say so rather than ignore it.
        if (!tmpl::is_env_name(pair.substr(0, equals))) {
            throw Error(ErrorKind::usage, "--set takes NAME=value, where NAME has letters, digits and \"_\" and does "
                                          "not start with a digit, not " + util::quoted(pair));
        }
        set[pair.substr(0, equals)] = pair.substr(equals + 1);
    }
    std::map<std::string, std::string> from_files;
    for (const auto& file : sources.vars_files) {
        for (auto& [name, value] : util::parse_dotenv(file, util::read_file(file))) {
            from_files[name] = value;
        }
    }
    Variables variables;
    variables.add_layer("--set", set);
    variables.add_layer("the infrastructure file", sources.instance_vars);
    variables.add_layer("--vars-file", from_files);
    variables.add_layer("the environment", sources.environment);
    return variables;
}

}  // namespace calzion::render
