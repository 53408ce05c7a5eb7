#include "state/lock_admin.hpp"

#include <nlohmann/json.hpp>

#include "exec/run_checked.hpp"
#include "exec/script_status.hpp"
#include "state/sections.hpp"
#include "state/state_dir_script.hpp"
#include "tmpl/names.hpp"
#include "util/error.hpp"
#include "util/identity.hpp"
#include "util/strings.hpp"

namespace calzion::state {

using nlohmann::json;

namespace {

// Whether process $1 still holds a lock: "yes", "no", or "unknown" on a host
// without /proc. Every calzion script runs as `sh -c SCRIPT calzion ARGS...`:
// a pid taken over by another program, or a zombie, has no argument "calzion".
constexpr const char* k_alive = R"sh(
calzion_alive() {
  [ -d /proc/self ] || { echo unknown; return; }
  case $1 in '' | *[!0-9]*) echo no; return ;; esac
  [ -d "/proc/$1" ] || { echo no; return; }
  [ -r "/proc/$1/cmdline" ] || { echo yes; return; }
  if tr '\0' '\n' < "/proc/$1/cmdline" 2>/dev/null |
    { while IFS= read -r a; do [ "$a" = calzion ] && exit 0; done; exit 1; }; then
    echo yes
  else
    echo no
  fi
}
)sh";

constexpr const char* k_info = R"sh(
l=$d/instances/$2/lock
echo "@@calzion state_dir"; echo "$d"
pid=$(cat "$l/pid" 2>/dev/null)
# A holder writes its pid right after taking the lock: give a new one a moment.
if [ -d "$l" ] && [ -z "$pid" ]; then sleep 1; pid=$(cat "$l/pid" 2>/dev/null); fi
if [ ! -d "$l" ]; then echo "@@calzion free"; echo "@@calzion end"; exit 0; fi
echo "@@calzion held"
echo "@@calzion pid"; echo "$pid"
echo "@@calzion alive"; calzion_alive "$pid"
echo "@@calzion owner"; cat "$l/owner" 2>/dev/null; echo
echo "@@calzion end"
)sh";

constexpr const char* k_break = R"sh(
idir=$d/instances/$2; expected=$3; audit=$4
l=$idir/lock
[ -d "$l" ] || { echo "@@calzion free"; exit 0; }
pid=$(cat "$l/pid" 2>/dev/null)
[ "$pid" = "$expected" ] || { echo "@@calzion changed"; exit "$calzion_held"; }
[ "$(calzion_alive "$pid")" = no ] || { echo "@@calzion alive"; exit "$calzion_held"; }
away=$idir/lock.broken.$$
if ! mv "$l" "$away" 2>/dev/null; then
  [ -d "$l" ] || { echo "@@calzion free"; exit 0; }
  exit "$calzion_denied"
fi
# Between the look and the move a deploy may have replaced the stale lock with
# its own: that one goes back.
if [ "$(cat "$away/pid" 2>/dev/null)" != "$pid" ]; then
  mv "$away" "$l" 2>/dev/null
  echo "@@calzion changed"; exit "$calzion_held"
fi
rm -rf "$away"
printf '%s\n' "$audit" >> "$idir/audit.log" || exit "$calzion_denied"
echo "@@calzion broken"
)sh";

constexpr const char* k_append_audit = R"sh(
printf '%s\n' "$2" >> "$1/audit.log" 2>/dev/null || exit "$calzion_denied"
)sh";

std::vector<std::string> shell(const std::string& script, std::vector<std::string> args) {
    std::vector<std::string> argv = {"sh", "-c", script, "calzion"};
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
}

std::string first_line(const std::string& text) {
    std::string line = text.substr(0, text.find('\n'));
    return line.empty() ? "no output" : line;
}

Liveness liveness_of(const std::string& text) {
    std::string word = trimmed(text);
    return word == "yes" ? Liveness::alive : word == "no" ? Liveness::gone : Liveness::unknown;
}

void read_owner(LockHolder& holder, const std::string& line) {
    json owner = json::parse(line, nullptr, false);
    if (!owner.is_object()) {
        return;
    }
    auto text = [&owner](const char* key) {
        auto found = owner.find(key);
        return found != owner.end() && found->is_string() ? found->get<std::string>() : std::string();
    };
    holder.user = text("user");
    holder.machine = text("machine");
    holder.command = text("command");
    holder.since = text("since");
    auto pid = owner.find("pid");
    holder.client_pid = pid != owner.end() && pid->is_number_integer() ? pid->get<int>() : 0;
}

}  // namespace

std::string describe(const LockHolder& holder) {
    if (holder.user.empty() && holder.machine.empty()) {
        return "an unknown holder";
    }
    return holder.user + "@" + holder.machine + " (" + (holder.command.empty() ? "?" : holder.command) + " since " +
           (holder.since.empty() ? "?" : holder.since) + ", pid " + std::to_string(holder.client_pid) + ")";
}

std::vector<std::string> lock_info_argv(const std::string& state_dir, const std::string& instance) {
    return shell(std::string(k_resolve_state_dir) + k_alive + k_info, {state_dir, instance});
}

LockInfo parse_lock_info(const std::string& output) {
    auto sections = sections_of(output);
    if (!sections.count("end")) {
        throw Error(ErrorKind::operation_failed, "the host did not say who holds the lock");
    }
    LockInfo info;
    info.state_dir = trimmed(sections["state_dir"]);
    info.held = sections.count("held") > 0;
    if (info.held) {
        info.holder.host_pid = trimmed(sections["pid"]);
        info.holder.liveness = liveness_of(sections["alive"]);
        read_owner(info.holder, trimmed(sections["owner"]));
    }
    return info;
}

LockInfo read_lock(exec::Runner& runner, const std::string& state_dir, const std::string& instance) {
    tmpl::check_instance_name(instance);
    exec::Result result = runner.run(exec::command(lock_info_argv(state_dir, instance)));
    if (!result.ok()) {
        throw Error(ErrorKind::operation_failed, "cannot read the lock on the host: " + first_line(result.err));
    }
    return parse_lock_info(result.out);
}

std::vector<std::string> break_lock_argv(const std::string& state_dir, const std::string& instance,
                                         const std::string& host_pid, const std::string& audit_line) {
    return shell(exec::script_status_prelude() + k_resolve_state_dir + k_alive + k_break, {state_dir, instance, host_pid, audit_line});
}

BreakOutcome parse_break(const std::string& output) {
    static const std::pair<const char*, BreakOutcome> k_outcomes[] = {{"broken", BreakOutcome::broken},
                                                                     {"free", BreakOutcome::free},
                                                                     {"alive", BreakOutcome::alive},
                                                                     {"changed", BreakOutcome::changed}};
    auto sections = sections_of(output);
    for (const auto& [name, outcome] : k_outcomes) {
        if (sections.count(name)) {
            return outcome;
        }
    }
    throw Error(ErrorKind::operation_failed, "the host did not say whether the lock was broken");
}

BreakOutcome break_lock(exec::Runner& runner, const std::string& state_dir, const std::string& instance,
                        const LockHolder& seen, const std::string& audit_line) {
    tmpl::check_instance_name(instance);
    exec::Result result =
        runner.run(exec::command(break_lock_argv(state_dir, instance, seen.host_pid, audit_line)));
    if (result.exit_code == exec::k_status_denied) {
        throw Error(ErrorKind::permission, "cannot break the lock: the state directory is not writable");
    }
    if (!result.ok() && result.exit_code != exec::k_status_lock_held) {
        throw Error(ErrorKind::operation_failed, "cannot break the lock: " + first_line(result.err));
    }
    return parse_break(result.out);
}

std::string audit_line(const AuditEntry& entry) {
    return nlohmann::ordered_json{{"time", util::utc_now_iso()},
                {"user", util::current_user()},
                {"machine", util::machine_name()},
                {"command", entry.command},
                {"services", entry.services},
                {"revision", entry.revision},
                {"result", entry.result},
                {"message", entry.message}}
        .dump();
}

std::vector<std::string> append_audit_argv(const std::string& instance_dir, const std::string& audit_line) {
    return shell(exec::script_status_prelude() + k_append_audit, {instance_dir, audit_line});
}

void append_audit(exec::Runner& runner, const std::string& instance_dir, const AuditEntry& entry) {
    exec::Result result = runner.run(exec::command(append_audit_argv(instance_dir, audit_line(entry))));
    if (!result.ok()) {
        throw Error(result.exit_code == exec::k_status_denied ? ErrorKind::permission : ErrorKind::operation_failed,
                    "cannot append to the audit log in " + util::quoted(instance_dir));
    }
}

}  // namespace calzion::state
