#include "docker/observe.hpp"

#include <map>
#include <sstream>

#include "docker/inspect.hpp"
#include "state/sections.hpp"
#include "util/error.hpp"
#include "util/shell.hpp"

namespace calzion::docker {

namespace {

// Instance $1, images $2... (references that cannot name a container). Its
// parts start with "@@docker NAME" lines; "@@docker failed" alone says that
// docker did not answer. $inspect_format is what parse_inspected reads (every
// label comes along).
constexpr const char* k_observe = R"sh(
i=$1; shift
ids=$(docker ps -aq --no-trunc --filter "label=io.calzion.instance=$i") || { echo "@@docker failed"; exit 0; }
# The instance's containers and images $2... in one docker call, a JSON line each.
echo "@@docker inspect"
if [ -n "$ids" ] || [ $# -gt 0 ]; then docker inspect --format "$inspect_format" $ids "$@" 2>/dev/null; fi
# Named volumes labelled with the instance, each with the state directory that owns it.
echo "@@docker volumes"
docker volume ls --filter "label=io.calzion.instance=$i" --format '{{.Name}} {{.Label "io.calzion.state"}}' 2>/dev/null)sh";

// The fragment's parts: NAME -> its lines, each ending in "\n".
std::map<std::string, std::string> parts_of(const std::string& output) { return state::sections_of(output, "@@docker "); }

// "name owner" per line; a volume without an owner label has only its name.
std::map<std::string, std::string> volumes_in(const std::string& text) {
    std::map<std::string, std::string> volumes;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        size_t space = line.find(' ');
        std::string name = state::trimmed(line.substr(0, space));
        if (!name.empty()) {
            volumes[name] = space == std::string::npos ? "" : state::trimmed(line.substr(space + 1));
        }
    }
    return volumes;
}

}  // namespace

state::Observer observer(const std::string& instance, const std::vector<std::string>& images) {
    state::Observer observer;
    observer.script = "inspect_format=" + util::shell_quote(k_inspect_format) + "\n" + k_observe;
    observer.args = {instance};
    auto references = references_to_inspect(images);
    observer.args.insert(observer.args.end(), references.begin(), references.end());
    return observer;
}

plan::Observed parse_observed(const std::string& output, const std::vector<std::string>& images) {
    auto parts = parts_of(output);
    if (parts.count("failed") || !parts.count("inspect")) {
        throw Error(ErrorKind::operation_failed, "docker does not answer on the host (is the engine running?)");
    }
    Inspected inspected = parse_inspected(parts["inspect"]);
    plan::Observed observed;
    observed.workloads = std::move(inspected.containers);
    observed.volumes = volumes_in(parts["volumes"]);
    for (const auto& image : images) {
        auto found = inspected.image_ids.find(normalize_reference(image));
        if (found != inspected.image_ids.end()) {
            observed.image_ids[image] = found->second;
        }
    }
    return observed;
}

}  // namespace calzion::docker
