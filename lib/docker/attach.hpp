#pragma once

#include <string>
#include <vector>

#include "backend/attach.hpp"
#include "docker/argv.hpp"

namespace calzion::docker {

// What `calzion logs` asks of `docker logs`.
using LogsOptions = backend::LogsOptions;

// Check a `--since` value before docker sees it, as docker reads it: an RFC 3339
// date or time (2026-01-02, 2026-01-02T15:04:05, with fraction and zone: Z or
// +01:00), a Unix time (1767366245, 1767366245.5) or a duration (10m, 1h30m,
// 1.5h, 300ms). Throws Error(usage) naming the option otherwise.
void check_since(const std::string& since);

// `docker logs` for `container`. A following one is wrapped in a small script
// that ends it once its stdin closes, so run it with Command::keep_stdin_open:
// over SSH, a `docker logs -f` would otherwise outlive calzion on the host when
// the container is quiet (nothing makes it notice that nobody reads).
Argv logs(const std::string& container, const LogsOptions& options);

// What `calzion exec` asks of `docker exec`.
using ExecOptions = backend::ExecOptions;

// `docker exec [options] container command...`.
Argv exec(const std::string& container, const std::vector<std::string>& command, const ExecOptions& options);

}  // namespace calzion::docker
