#pragma once

namespace calzion::state {

// The start of a host script that resolves the state directory into $d: the
// script's first argument, else /var/lib/calzion for root, else
// ~/.local/state/calzion. Every script that takes a state directory starts so.
inline constexpr const char* k_resolve_state_dir = R"sh(
d=$1
if [ -z "$d" ]; then
  if [ "$(id -u)" = 0 ]; then d=/var/lib/calzion; else d=${HOME:-/tmp}/.local/state/calzion; fi
fi
)sh";

}  // namespace calzion::state
