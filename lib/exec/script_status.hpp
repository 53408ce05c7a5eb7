#pragma once

#include <string>

namespace calzion::exec {

// The exit statuses of calzion's host scripts that mean something to the C++
// reading them, besides 0 (done) and 1 (failed). The scripts name them as shell
// variables defined by script_status_prelude(), never as numbers, so both sides
// read from this one place.
inline constexpr int k_status_lock_held = 75;      // $calzion_held: the lock stayed held
inline constexpr int k_status_denied = 77;         // $calzion_denied: the state directory cannot be written
inline constexpr int k_status_refused = 3;         // $calzion_refused: nginx -t refused a configuration
inline constexpr int k_status_not_reloaded = 4;    // $calzion_not_reloaded: nginx -s reload failed
inline constexpr int k_status_not_serving = 5;     // $calzion_not_serving: nginx did not serve in time

// Shell assignments of the statuses above, to start a script that exits with
// one of them.
inline std::string script_status_prelude() {
    return "calzion_held=" + std::to_string(k_status_lock_held) +
           " calzion_denied=" + std::to_string(k_status_denied) +
           " calzion_refused=" + std::to_string(k_status_refused) +
           " calzion_not_reloaded=" + std::to_string(k_status_not_reloaded) +
           " calzion_not_serving=" + std::to_string(k_status_not_serving) + "\n";
}

}  // namespace calzion::exec
