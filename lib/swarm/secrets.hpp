#pragma once

// Secrets on a swarm are Swarm secrets, one per value: the name says whose
// and which value (rotating a secret makes a new one), the value reaches the
// manager only on a program's stdin, and a service mounts it as
// /run/secrets/NAME with NAME_FILE in its environment saying so.

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "swarm/argv.hpp"

namespace calzion::swarm {

// The Swarm secret holding `value` of secret `name` of `instance`:
// <instance>_<name>_<first 8 hex digits of the value's SHA-256>.
std::string secret_name(const std::string& instance, const std::string& name, const std::string& value);

// NAME -> value of an env file's "NAME=value" lines (what deploy hands a
// backend as ApplyOptions::secrets: values are raw and hold no line break).
std::map<std::string, std::string> secret_values(const std::string& env_file);

// argv that removes the Swarm secrets labelled with `instance` that no
// service of the instance mounts any more, and prints the name of each it
// removed.
Argv prune_secrets_argv(const std::string& instance);

}  // namespace calzion::swarm
