#include "state/store.hpp"

#include <nlohmann/json.hpp>
#include <unistd.h>

#include "state/scripts.hpp"
#include "tmpl/names.hpp"
#include "util/error.hpp"
#include "util/identity.hpp"
#include "util/strings.hpp"

namespace calzion::state {

using nlohmann::json;

namespace {

constexpr std::chrono::seconds k_reply_margin{60};

std::string owner_line(const std::string& command) {
    return json{{"user", util::current_user()},
                {"machine", util::machine_name()},
                {"pid", static_cast<int>(::getpid())},
                {"since", util::utc_now_iso()},
                {"command", command}}
        .dump();
}

// "alice@laptop (deploy since 2026-11-22T09:14:03Z, pid 4242)" from an owner line.
std::string describe_owner(const std::string& line) {
    try {
        json owner = json::parse(line);
        return owner.value("user", "?") + "@" + owner.value("machine", "?") + " (" + owner.value("command", "?") +
               " since " + owner.value("since", "?") + ", pid " + std::to_string(owner.value("pid", 0)) + ")";
    } catch (const json::exception&) {
        return line.empty() ? "another calzion" : util::quoted(line);
    }
}

[[noreturn]] void fail_reading(const exec::Result& result) {
    std::string detail = result.err.empty() ? "exit " + std::to_string(result.exit_code) : result.err;
    while (!detail.empty() && (detail.back() == '\n' || detail.back() == '\r')) {
        detail.pop_back();
    }
    ErrorKind kind = result.exit_code == 77 ? ErrorKind::permission : ErrorKind::operation_failed;
    throw Error(kind, "cannot read the state on the host: " + detail);
}

// Instance names end up in paths and commands on the host: only DNS labels pass.
void check_instance(const std::string& instance) {
    if (auto problem = tmpl::dns_label_problem(instance)) {
        throw Error(ErrorKind::usage, "invalid instance name " + util::quoted(instance) + ": " + *problem);
    }
}

}  // namespace

HostState read_state(exec::Runner& runner, const std::string& state_dir, const std::string& instance,
                     const Observer& observer) {
    check_instance(instance);
    exec::Result result = runner.run({read_state_argv(state_dir, instance, observer), "", std::nullopt, nullptr});
    if (!result.ok()) {
        fail_reading(result);
    }
    return parse_dump(result.out, runner.host());
}

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

std::pair<std::unique_ptr<Lock>, HostState> lock_and_read(exec::Runner& runner, const std::string& state_dir,
                                                          const std::string& instance, const std::string& command,
                                                          int wait_seconds, const Observer& observer) {
    check_instance(instance);
    exec::Command lock_command{lock_argv(state_dir, instance, owner_line(command), wait_seconds, observer), "",
                               std::nullopt, nullptr};
    auto holder = runner.start(lock_command);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_seconds) + k_reply_margin;
    std::string dump;
    bool locked = false;
    while (std::chrono::steady_clock::now() < deadline) {
        auto line = holder->read_line(std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now()));
        if (!line) {
            break;
        }
        if (*line == "@@calzion locked") {
            locked = true;
            continue;
        }
        dump += *line + "\n";
        if (locked && *line == "@@calzion end") {
            auto lock = std::make_unique<Lock>(std::move(holder));
            return {std::move(lock), parse_dump(dump, runner.host())};
        }
    }
    exec::Result result = holder->finish();
    if (result.exit_code == 75) {
        std::string owner = dump.substr(dump.find('\n') + 1);
        while (!owner.empty() && owner.back() == '\n') {
            owner.pop_back();
        }
        throw Error(ErrorKind::lock_held, "instance " + util::quoted(instance) + " is locked by " +
                                              describe_owner(owner) + "; retry later or wait with --lock-timeout");
    }
    if (result.exit_code == 77) {
        throw Error(ErrorKind::permission, "cannot write the state directory on the host: permission denied");
    }
    result.out = dump;
    fail_reading(result);
}

void record_revision(exec::Runner& runner, const HostState& state, const std::string& instance,
                     const RevisionInfo& info, const std::string& deployment_json) {
    std::string when = util::utc_now_iso();
    json document = {{"format", k_state_format},
                     {"revision", info.revision},
                     {"status", info.status},
                     {"command", info.command},
                     {"time", when},
                     {"user", util::current_user()},
                     {"machine", util::machine_name()},
                     {"template", info.template_file},
                     {"template_digest", info.template_digest},
                     {"git_commit", info.git_commit},
                     {"message", info.message},
                     {"changes", info.changes},
                     {"deployment", json::parse(deployment_json)}};
    json audit = {{"time", when},         {"user", util::current_user()}, {"machine", util::machine_name()},
                  {"command", info.command}, {"revision", info.revision},   {"status", info.status},
                  {"changes", info.changes}, {"message", info.message}};
    exec::Result result = runner.run(
        {record_argv(state.state_dir, instance, info.revision, audit.dump()), document.dump() + "\n", std::nullopt,
         nullptr});
    if (!result.ok()) {
        throw Error(result.exit_code == 77 ? ErrorKind::permission : ErrorKind::operation_failed,
                    "cannot record revision " + std::to_string(info.revision) + ": " + result.err);
    }
}

void record_init(exec::Runner& runner, const HostState& state, const std::string& instance,
                 const render::RenderedService& service, int revision) {
    json marker = {{"service", service.name},         {"container", service.container},
                   {"revision", revision},            {"time", util::utc_now_iso()},
                   {"user", util::current_user()},    {"machine", util::machine_name()},
                   {"commands", service.init}};
    exec::Result result = runner.run(
        {write_init_marker_argv(state.instance_dir(instance), service.name), marker.dump() + "\n", std::nullopt,
         nullptr});
    if (!result.ok()) {
        throw Error(result.exit_code == 77 ? ErrorKind::permission : ErrorKind::operation_failed,
                    "cannot record that the init of " + util::quoted(service.name) + " has run: " +
                        util::one_line(result.err));
    }
}

}  // namespace calzion::state
