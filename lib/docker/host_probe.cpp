#include "docker/host_probe.hpp"

#include <sstream>

#include "docker/inspect.hpp"
#include "state/sections.hpp"
#include "state/state_dir_script.hpp"
#include "util/error.hpp"

namespace calzion::docker {

namespace {

// Writability is tried for real (root may write where the mode bits say no,
// and nobody may on a read-only file system), with a file removed at once; a
// directory that does not exist yet is judged by its nearest existing parent
// and is not created. Docker gets 20 s: an engine that hangs must not hang the
// check.
constexpr const char* k_probe = R"sh(
echo "@@calzion user"; id -un 2>/dev/null || id -u
echo "@@calzion docker"
timeout 20 docker version --format '{{json .}}' 2>&1 </dev/null
rc=$?
echo "@@calzion docker_exit"; echo "$rc"
echo "@@calzion state_dir"; echo "$d"
p=$d
while [ ! -d "$p" ]; do p=$(dirname "$p"); done
echo "@@calzion state"
if [ "$p" = "$d" ]; then
  w=yes
  for dir in "$d" "$d/instances"; do
    [ -d "$dir" ] || continue
    t=$dir/.calzion-check.$$
    if ( : > "$t" ) 2>/dev/null; then rm -f "$t"; else w=no; fi
  done
  echo "exists=yes"; echo "writable=$w"
else
  w=no
  if [ -w "$p" ] && [ -x "$p" ]; then w=yes; fi
  echo "exists=no"; echo "writable=$w"
fi
echo "@@calzion format"; cat "$d/format" 2>/dev/null
echo "@@calzion df"; df -Pk "$p" 2>/dev/null
echo "@@calzion end"
)sh";

// Lines of `text` that are not docker's JSON, joined into one.
std::string other_lines(const std::string& text) {
    std::istringstream lines(text);
    std::string line;
    std::string out;
    while (std::getline(lines, line)) {
        if (!line.empty() && line.front() != '{') {
            out += (out.empty() ? "" : "; ") + line;
        }
    }
    return out;
}

}  // namespace

std::vector<std::string> probe_argv(const std::string& state_dir) {
    return {"sh", "-c", std::string(state::k_resolve_state_dir) + k_probe, "calzion", state_dir};
}

HostProbe parse_probe(const std::string& output) {
    auto sections = state::sections_of(output);
    if (!sections.count("end")) {
        throw Error(ErrorKind::operation_failed, "the host's answer was cut short");
    }
    HostProbe probe;
    probe.user = state::trimmed(sections["user"]);
    probe.docker_exit = state::number_in(sections["docker_exit"]);
    probe.docker = parse_versions(sections["docker"]);
    probe.docker_output = other_lines(sections["docker"]);
    probe.state_dir = state::trimmed(sections["state_dir"]);
    const std::string& state = sections["state"];
    probe.state_dir_exists = state.find("exists=yes\n") != std::string::npos;
    probe.state_dir_writable = state.find("writable=yes\n") != std::string::npos;
    std::string format = state::trimmed(sections["format"]);
    probe.format = format.empty() ? 0 : state::number_in(format);
    probe.free_bytes = parse_df_available(sections["df"]);
    return probe;
}

std::optional<long long> parse_df_available(const std::string& output) {
    std::istringstream lines(output);
    std::string line;
    std::getline(lines, line);  // the header
    if (!std::getline(lines, line)) {
        return std::nullopt;
    }
    // Filesystem, 1024-blocks, Used, Available, Capacity ("21%"), mount point:
    // the file system's name may hold blanks, so find the capacity first.
    std::istringstream words(line);
    std::string previous;
    std::string word;
    while (words >> word) {
        bool capacity = word.size() > 1 && word.back() == '%' &&
                        word.find_first_not_of("0123456789") == word.size() - 1;
        if (capacity) {
            bool number = !previous.empty() && previous.size() < 16 &&
                          previous.find_first_not_of("0123456789") == std::string::npos;
            return number ? std::optional<long long>(std::stoll(previous) * 1024) : std::nullopt;
        }
        previous = word;
    }
    return std::nullopt;
}

}  // namespace calzion::docker
