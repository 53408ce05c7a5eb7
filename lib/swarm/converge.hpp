#pragma once

#include <string>
#include <vector>

#include "swarm/argv.hpp"

namespace calzion::swarm {

// How long a task may stay pending with an error (no suitable node, a port
// in use) before calzion stops waiting for it: Swarm would retry forever.
inline constexpr int k_stuck_seconds = 10;

// argv of one host script that makes one change to service `name` (`change`,
// an argv: create, update, scale; none to only wait) and waits until it has
// settled, then records the service's version (see versions.hpp) in
// `instance_dir`, whatever the outcome. Settled:
//   converged    no update under way (UpdateStatus none or completed), as many
//                tasks should run as the replicas wanted, and all of them run
//                the service's current spec (its k_task_label and
//                ForceUpdate); scaled to 0: no task left running;
//   rolled_back  Swarm rolled the update back (a task failed while it was
//                watched) and the previous spec's tasks run again (within
//                `timeout_seconds` more: else timeout);
//   paused       Swarm paused the update or its rollback;
//   failed       with no update under way, a task of this change failed
//                (crash, failed health check);
//   stuck        a task stayed pending with an error for k_stuck_seconds;
//   timeout      `timeout_seconds` passed.
// When stuck or out of time in the middle of an update, the script asks Swarm
// to roll it back instead, waits up to `timeout_seconds` more for that, and
// says why. Prints "VERDICT UPDATE_STATE RUNNING/WANTED CAUSE" (CAUSE: none,
// timeout or stuck; with a cause, the counts are those when calzion gave up
// on the update), and unless converged, the update's message, the failing
// task's error and, if it had a container, its last health check output and
// its last `log_lines` log lines. Exit 0 only when converged.
Argv converge_argv(const std::string& instance_dir, const std::string& name, const Argv& change,
                   int timeout_seconds, int log_lines = 20);

// How a converge_argv script ended.
struct ConvergeOutcome {
    std::string verdict;       // converged, rolled_back, paused, failed, stuck, timeout, change_failed, gone
    std::string update_state;  // Swarm's UpdateStatus at the end ("none")
    int running = 0;           // tasks of the current spec running
    int wanted = 0;
    std::string cause;         // timeout or stuck when calzion asked for the rollback; else ""
    std::string message;       // the update's message, or docker's error for change_failed
    std::string task;          // the failing task, if one was found
    std::string task_error;
    bool had_container = false;  // whether the task got as far as a container
    std::string health;        // its last health check output
    std::string logs;          // its last log lines
};

// Read what converge_argv printed.
ConvergeOutcome parse_converge(const std::string& output);

// Why a change did not converge, in words, with the failing task's error,
// health check output and last log lines; says whether the previous spec
// serves again. `timeout_seconds` as given to converge_argv.
std::string failure_text(const ConvergeOutcome& outcome, int timeout_seconds);

}  // namespace calzion::swarm
