#include "swarm/versions.hpp"

#include <sstream>

#include "util/shell.hpp"
#include "util/strings.hpp"

namespace calzion::swarm {

std::string record_version_function() {
    static const char* const function = R"sh(
record_version() {
  v=$(docker service inspect --format '{{.Version.Index}}' "$1" 2>/dev/null) || return 0
  mkdir -p "$idir/$versions" &&
    printf '%s\n' "$v" > "$idir/$versions/$1.tmp.$$" &&
    mv "$idir/$versions/$1.tmp.$$" "$idir/$versions/$1"
}
)sh";
    return "versions=" + util::shell_quote(k_versions_dir) + function;
}

std::map<std::string, long long> parse_versions(const std::string& text) {
    std::map<std::string, long long> versions;
    for (const auto& line : util::split_lines(text)) {
        std::istringstream words(line);
        std::string service;
        std::string version;
        if (!(words >> service >> version) || version.size() > 15 ||
            version.find_first_not_of("0123456789") != std::string::npos) {
            continue;
        }
        versions[service] = std::stoll(version);
    }
    return versions;
}

std::vector<std::string> forget_versions_argv(const std::string& instance_dir,
                                              const std::vector<std::string>& services) {
    static const char* const script = R"sh(
idir=$1; versions=$2; shift 2
for s in "$@"; do rm -f "$idir/$versions/$s"; done
rmdir "$idir/$versions" 2>/dev/null || :
)sh";
    std::vector<std::string> args = {instance_dir, k_versions_dir};
    args.insert(args.end(), services.begin(), services.end());
    return util::script_argv(script, args);
}

}  // namespace calzion::swarm
