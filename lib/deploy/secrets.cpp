#include "deploy/secrets.hpp"

#include "util/dotenv.hpp"
#include "util/error.hpp"
#include "util/fs.hpp"
#include "util/strings.hpp"

namespace calzion::deploy {

std::map<std::string, std::string> resolve_secrets(const render::Deployment& deployment,
                                                   const std::map<std::string, std::string>& environment,
                                                   const std::vector<std::string>& secrets_files) {
    std::map<std::string, std::string> from_files;
    for (const auto& file : secrets_files) {
        for (auto& [name, value] : util::parse_dotenv(file, util::read_file(file))) {
            from_files[name] = value;
        }
    }
    std::map<std::string, std::string> values;
    for (const auto& service : deployment.services) {
        for (const auto& name : service.secrets) {
            const std::string* value = nullptr;
            if (auto in_file = from_files.find(name); in_file != from_files.end()) {
                value = &in_file->second;
            } else if (auto in_env = environment.find(name); in_env != environment.end()) {
                value = &in_env->second;
            }
            if (value == nullptr) {
                throw Error(ErrorKind::usage, "secret " + util::quoted(name) + " of service " +
                                                  util::quoted(service.name) +
                                                  " is not set: put it in the environment or in --secrets-file");
            }
            if (value->find_first_of("\r\n") != std::string::npos) {
                throw Error(ErrorKind::invalid_data,
                            "secret " + util::quoted(name) + " holds a line break, which an env file cannot carry");
            }
            values[name] = *value;
        }
    }
    return values;
}

}  // namespace calzion::deploy
