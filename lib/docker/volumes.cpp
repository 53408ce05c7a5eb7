#include "docker/volumes.hpp"

#include "exec/run_checked.hpp"

#include <algorithm>
#include <map>
#include <sstream>

#include "util/error.hpp"
#include "util/shell.hpp"
#include "util/strings.hpp"

namespace calzion::docker {

namespace {

// Docker names an anonymous volume with 64 hexadecimal digits.
bool is_anonymous(const std::string& name) {
    return name.size() == 64 && name.find_first_not_of("0123456789abcdef") == std::string::npos;
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

constexpr const char* k_settle = R"sh(
n=$1; shift; k=0
for v in "$@"; do
  k=$((k + 1))
  docker volume inspect "$v" >/dev/null 2>&1 || continue
  if [ "$k" -gt "$n" ]; then echo "kept $v"; continue; fi
  if docker volume rm "$v" >/dev/null 2>&1; then echo "removed $v"; continue; fi
  printf 'in-use %s' "$v"
  docker ps --all --filter "volume=$v" --format ' {{.Names}}' 2>/dev/null | tr -d '\n'
  echo
done
)sh";

}  // namespace

VolumeCandidates volume_candidates(const state::HostState& recorded, const plan::Observed& observed) {
    VolumeCandidates candidates;
    std::vector<std::string> unowned;
    for (const auto& [name, owner] : observed.volumes) {
        if (owner == recorded.state_dir) {
            candidates.removable.push_back(name);
        } else {
            unowned.push_back(name);
        }
    }
    for (const auto& container : observed.workloads) {
        for (const auto& mount : container.volumes) {
            if (!is_anonymous(mount.name) && !contains(candidates.removable, mount.name) &&
                !contains(unowned, mount.name)) {
                candidates.removable.push_back(mount.name);
            }
        }
    }
    for (const auto& name : unowned) {
        candidates.kept.push_back({name, false, "labelled with the instance but with no owning state directory"});
    }
    for (const auto& service : recorded.recorded) {
        for (const auto& name : service.volumes) {
            bool known = contains(candidates.removable, name) ||
                         std::any_of(candidates.kept.begin(), candidates.kept.end(),
                                     [&](const NamedVolume& volume) { return volume.name == name; });
            if (!known) {
                candidates.kept.push_back(
                    {name, false, "not labelled with the instance, and no container of the instance mounts it"});
            }
        }
    }
    return candidates;
}

std::vector<std::string> settle_volumes_argv(size_t removable, const std::vector<std::string>& names) {
    std::vector<std::string> args = {std::to_string(removable)};
    args.insert(args.end(), names.begin(), names.end());
    return util::script_argv(k_settle, args);
}

std::vector<NamedVolume> parse_settled(const std::string& output, const VolumeCandidates& candidates,
                                       bool removing) {
    std::map<std::string, std::string> why_kept;
    for (const auto& volume : candidates.kept) {
        why_kept[volume.name] = volume.kept_because;
    }
    std::vector<NamedVolume> settled;
    std::istringstream lines(output);
    std::string line;
    while (std::getline(lines, line)) {
        std::istringstream words(line);
        std::string verdict;
        std::string name;
        if (!(words >> verdict >> name)) {
            continue;
        }
        if (verdict == "removed") {
            settled.push_back({name, true, ""});
        } else if (verdict == "in-use") {
            std::vector<std::string> users;
            for (std::string user; words >> user;) {
                users.push_back(user);
            }
            settled.push_back({name, false, users.empty() ? "docker could not remove it"
                                                          : "in use by container " + util::comma_list(users)});
        } else if (verdict == "kept") {
            auto known = why_kept.find(name);
            settled.push_back({name, false, known != why_kept.end() ? known->second
                                            : removing             ? "kept"
                                                                   : "data kept: destroy --volumes removes it"});
        }
    }
    return settled;
}

std::vector<NamedVolume> settle_volumes(exec::Runner& runner, const state::HostState& recorded,
                                        const plan::Observed& observed, bool removing) {
    VolumeCandidates candidates = volume_candidates(recorded, observed);
    std::vector<std::string> names = candidates.removable;
    for (const auto& volume : candidates.kept) {
        names.push_back(volume.name);
    }
    if (names.empty()) {
        return {};
    }
    exec::Result result =
        runner.run(exec::command(settle_volumes_argv(removing ? candidates.removable.size() : 0, names)));
    if (!result.ok()) {
        throw Error(ErrorKind::operation_failed, "cannot look at the named volumes: " + util::one_line(result.err));
    }
    return parse_settled(result.out, candidates, removing);
}

}  // namespace calzion::docker
