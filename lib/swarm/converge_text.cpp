#include "swarm/converge.hpp"
#include "util/strings.hpp"

namespace calzion::swarm {

namespace {

std::string why(const std::string& verdict, const ConvergeOutcome& outcome, int timeout_seconds) {
    std::string counts = std::to_string(outcome.running) + "/" + std::to_string(outcome.wanted) + " tasks running";
    if (verdict == "timeout") {
        return "not converged after " + std::to_string(timeout_seconds) + "s (" + counts + ")";
    }
    if (verdict == "stuck") {
        return "a task cannot be scheduled (" + counts + ")";
    }
    if (verdict == "failed") {
        return "a task failed (" + counts + ")";
    }
    if (verdict == "paused") {
        return "Swarm paused the update" + (outcome.message.empty() ? "" : " (" + outcome.message + ")");
    }
    return "the update failed";  // rolled_back
}

std::string what_became_of_it(const ConvergeOutcome& outcome) {
    if (outcome.update_state == "rollback_completed") {
        std::string who = outcome.cause.empty() ? "Swarm" : "calzion";
        if (outcome.verdict == "rolled_back") {
            return "; " + who + " rolled the update back: the previous spec serves again";
        }
        return "; " + who + " rolled the update back, but the previous spec does not run either (" +
               std::to_string(outcome.running) + "/" + std::to_string(outcome.wanted) + " tasks running)";
    }
    if (!outcome.cause.empty()) {
        return "; calzion asked Swarm to roll the update back, which has not finished (" + outcome.update_state +
               ")";
    }
    return "";
}

}  // namespace

std::string failure_text(const ConvergeOutcome& outcome, int timeout_seconds) {
    if (outcome.verdict == "change_failed") {
        return "docker refused the change: " + util::one_line(outcome.message);
    }
    if (outcome.verdict == "gone") {
        return "the service disappeared while calzion waited for it";
    }
    std::string text = why(outcome.cause.empty() ? outcome.verdict : outcome.cause, outcome, timeout_seconds);
    if (!outcome.task.empty()) {
        text += ": task " + outcome.task.substr(0, 12) +
                (outcome.task_error.empty() ? "" : " says " + util::quoted(outcome.task_error));
    }
    text += what_became_of_it(outcome);
    if (!outcome.health.empty()) {
        text += "; its last health check printed " + util::quoted(util::one_line(outcome.health));
    }
    if (outcome.task.empty() || !outcome.had_container) {
        return text;
    }
    if (outcome.logs.find_first_not_of(" \t\r\n") == std::string::npos) {
        return text + "; it printed no log lines";
    }
    return text + "; its last log lines:\n" + outcome.logs;
}

}  // namespace calzion::swarm
