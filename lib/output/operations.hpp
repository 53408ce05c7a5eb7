#pragma once

#include <string>
#include <vector>

#include "deploy/hosts_check.hpp"
#include "deploy/lifecycle.hpp"
#include "deploy/locks.hpp"

namespace calzion::output {

// The JSON of `restart`, `stop` and `start`: per host, what became of each service.
std::string lifecycle_json(const std::vector<deploy::LifecycleOutcome>& outcomes, const std::string& instance,
                           deploy::Lifecycle action);

// `lock` for people: per host, who holds the lock, whether the holder still
// runs, and, after `--break`, whose lock was broken.
std::string lock_text(const std::vector<deploy::HostLock>& locks, const std::string& instance);
std::string lock_json(const std::vector<deploy::HostLock>& locks, const std::string& instance);

// `hosts check` for people: a table, one row per host, then every problem.
std::string hosts_check_text(const std::vector<deploy::HostCheck>& checks);
std::string hosts_check_json(const std::vector<deploy::HostCheck>& checks);

// "75.3 GiB", "512 MiB", "900 KiB".
std::string human_bytes(long long bytes);

}  // namespace calzion::output
