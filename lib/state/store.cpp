#include "state/store.hpp"

#include <nlohmann/json.hpp>
#include <unistd.h>

#include "state/ownership.hpp"
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
                     const std::vector<std::string>& images) {
    check_instance(instance);
    exec::Result result = runner.run({read_state_argv(state_dir, instance, images), "", std::nullopt, nullptr});
    if (!result.ok()) {
        fail_reading(result);
    }
    return parse_dump(result.out, instance, runner.host());
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
                                                          int wait_seconds, const std::vector<std::string>& images) {
    check_instance(instance);
    exec::Command lock_command{lock_argv(state_dir, instance, owner_line(command), wait_seconds, images), "",
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
            HostState state = parse_dump(dump, instance, runner.host());
            check_owner(state, instance, runner.host());
            return {std::move(lock), std::move(state)};
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
                     const RevisionInfo& info, const render::Deployment& deployment) {
    Revision revision;
    revision.revision = info.revision;
    revision.status = info.status;
    revision.command = info.command;
    revision.time = util::utc_now_iso();
    revision.user = util::current_user();
    revision.machine = util::machine_name();
    revision.template_file = info.template_file;
    revision.template_digest = info.template_digest;
    revision.git_commit = info.git_commit;
    revision.message = info.message;
    revision.changes = info.changes;
    revision.deployment = deployment;
    json audit = {{"time", revision.time},       {"user", revision.user},         {"machine", revision.machine},
                  {"command", revision.command}, {"revision", revision.revision}, {"status", revision.status},
                  {"changes", revision.changes}, {"message", revision.message}};
    exec::Result result = runner.run({record_argv(state.state_dir, instance, info.revision, audit.dump()),
                                      revision_to_json(revision) + "\n", std::nullopt, nullptr});
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
