#pragma once

#include <optional>
#include <string>
#include <vector>

#include "docker/inspect.hpp"

namespace calzion::docker {

// What one look at a host found (`calzion hosts check`) for the plain docker
// backend: who commands run as, whether docker answers, and the state directory.
struct HostProbe {
    std::string user;             // the user commands run as
    int docker_exit = -1;         // of `docker version`: 0 when client and engine answered
    Versions docker;
    std::string docker_output;    // what docker printed besides its JSON (its error), one line
    std::string state_dir;        // as the host resolves it
    bool state_dir_exists = false;
    // It exists and a file can be created in it (and in its instances/), or it
    // does not exist yet and can be created.
    bool state_dir_writable = false;
    int format = 0;               // state format recorded there, 0 if none, -1 if unreadable
    std::optional<long long> free_bytes;  // on the file system that holds (or would hold) it
};

// argv that looks at the host in one round trip, changing nothing (see
// parse_probe). Argument: the state dir ("" for the host's default).
std::vector<std::string> probe_argv(const std::string& state_dir);

// Parse what probe_argv printed. Throws Error(operation_failed) when the output
// is cut short.
HostProbe parse_probe(const std::string& output);

// The available space in the output of `df -Pk`, in bytes, if it can be read.
std::optional<long long> parse_df_available(const std::string& output);

}  // namespace calzion::docker
