#include "swarm/secrets.hpp"

#include "util/sha256.hpp"
#include "util/shell.hpp"
#include "util/strings.hpp"

namespace calzion::swarm {

std::string secret_name(const std::string& instance, const std::string& name, const std::string& value) {
    return instance + "_" + name + "_" + util::sha256_hex(value).substr(0, 8);
}

std::map<std::string, std::string> secret_values(const std::string& env_file) {
    std::map<std::string, std::string> values;
    for (const auto& line : util::split_lines(env_file)) {
        size_t equals = line.find('=');
        if (equals != std::string::npos && equals > 0) {
            values[line.substr(0, equals)] = line.substr(equals + 1);
        }
    }
    return values;
}

Argv prune_secrets_argv(const std::string& instance) {
    static const char* const script = R"sh(
i=$1
ids=$(docker service ls -q --filter "label=io.calzion.instance=$i") || exit 1
used=" "
if [ -n "$ids" ]; then
  used=" $(docker service inspect --format '{{range .Spec.TaskTemplate.ContainerSpec.Secrets}}{{.SecretName}} {{end}}' $ids | tr '\n' ' ') " || exit 1
fi
for s in $(docker secret ls --filter "label=io.calzion.instance=$i" --format '{{.Name}}'); do
  case "$used" in *" $s "*) ;; *) if docker secret rm "$s" >/dev/null; then echo "$s"; fi ;; esac
done
)sh";
    return util::script_argv(script, {instance});
}

}  // namespace calzion::swarm
