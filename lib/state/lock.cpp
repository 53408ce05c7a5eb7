#include "state/lock.hpp"

#include <chrono>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include "util/identity.hpp"
#include "util/strings.hpp"

namespace calzion::state {

using nlohmann::json;

namespace {

constexpr std::chrono::seconds k_reply_margin{60};

// The lock directory may vanish while we wait: an empty one goes with its
// holder's lock (TIDY). The lock goes with the script however it ends: a
// vanished client must not leave it behind by killing the script (SIGPIPE)
// while the answer is written.
constexpr const char* k_lock_function = R"sh(
calzion_lock() {
  ldir=$1; lowner=$2; lwait=$3
  mkdir -p "$ldir" 2>/dev/null || { echo "@@calzion denied"; echo "$ldir"; exit "$calzion_denied"; }
  waited=0
  while ! { mkdir -p "$ldir" && mkdir "$ldir/lock"; } 2>/dev/null; do
    pid=$(cat "$ldir/lock/pid" 2>/dev/null)
    if [ -n "$pid" ] && [ ! -d "/proc/$pid" ]; then
      # The holder is gone without cleaning up (host reboot, killed sshd): take over.
      mv "$ldir/lock" "$ldir/lock.stale.$$" 2>/dev/null && rm -rf "$ldir/lock.stale.$$"
      continue
    fi
    if [ "$waited" -ge "$lwait" ]; then echo "@@calzion held"; cat "$ldir/lock/owner" 2>/dev/null; exit "$calzion_held"; fi
    sleep 1
    waited=$((waited + 1))
  done
  if [ "$4" = yes ]; then
    trap 'rm -rf "$ldir/lock"; rmdir "$ldir" 2>/dev/null' EXIT
  else
    trap 'rm -rf "$ldir/lock"' EXIT
  fi
  trap 'exit 1' HUP INT TERM PIPE
  echo "$$" > "$ldir/lock/pid"
  printf '%s\n' "$lowner" > "$ldir/lock/owner"
  echo "@@calzion locked"
}
)sh";

}  // namespace

Lock::~Lock() {
    try {
        release();
    } catch (...) {
        // The host removes the lock anyway once our end of the channel closes.
    }
}

void Lock::release() {
    if (m_holder) {
        auto holder = std::move(m_holder);
        holder->finish();
    }
}

const char* lock_function() { return k_lock_function; }

std::string owner_line(const std::string& command) {
    return json{{"user", util::current_user()},
                {"machine", util::machine_name()},
                {"pid", static_cast<int>(::getpid())},
                {"since", util::utc_now_iso()},
                {"command", command}}
        .dump();
}

std::string describe_owner(const std::string& line) {
    json owner = json::parse(line, nullptr, false);
    if (!owner.is_object()) {
        return line.empty() ? "another calzion" : util::quoted(line);
    }
    auto text = [&](const char* key) {
        return owner.contains(key) && owner[key].is_string() ? owner[key].get<std::string>() : std::string("?");
    };
    std::string pid = owner.contains("pid") && owner["pid"].is_number_integer() ? owner["pid"].dump() : "?";
    return text("user") + "@" + text("machine") + " (" + text("command") + " since " + text("since") + ", pid " +
           pid + ")";
}

LockAnswer take_lock(exec::Runner& runner, const exec::Command& command, int wait_seconds) {
    auto holder = runner.start(command);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_seconds) + k_reply_margin;
    LockAnswer answer;
    std::string before;  // what the script printed before it had the lock
    bool locked = false;
    while (std::chrono::steady_clock::now() < deadline) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        auto line = holder->read_line(left);
        if (!line) {
            break;
        }
        if (!locked && *line == "@@calzion locked") {
            locked = true;
            continue;
        }
        (locked ? answer.output : before) += *line + "\n";
        if (locked && *line == "@@calzion end") {
            answer.lock = std::make_unique<Lock>(std::move(holder));
            return answer;
        }
    }
    answer.result = holder->finish();
    answer.result.out = before + answer.output + answer.result.out;
    answer.output.clear();
    return answer;
}

}  // namespace calzion::state
