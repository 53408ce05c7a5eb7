#include "state/store.hpp"

#include <nlohmann/json.hpp>

#include "exec/run_checked.hpp"
#include "exec/script_status.hpp"
#include "state/sections.hpp"
#include "state/scripts.hpp"
#include "tmpl/names.hpp"
#include "util/error.hpp"
#include "util/identity.hpp"
#include "util/strings.hpp"

namespace calzion::state {

using nlohmann::json;

namespace {

[[noreturn]] void fail_reading(const exec::Result& result) {
    std::string detail = result.err.empty() ? "exit " + std::to_string(result.exit_code) : result.err;
    while (!detail.empty() && (detail.back() == '\n' || detail.back() == '\r')) {
        detail.pop_back();
    }
    ErrorKind kind = result.exit_code == exec::k_status_denied ? ErrorKind::permission : ErrorKind::operation_failed;
    throw Error(kind, "cannot read the state on the host: " + detail);
}

}  // namespace

HostState read_state(exec::Runner& runner, const std::string& state_dir, const std::string& instance,
                     const Observer& observer) {
    tmpl::check_instance_name(instance);
    exec::Result result = runner.run(exec::command(read_state_argv(state_dir, instance, observer)));
    if (!result.ok()) {
        fail_reading(result);
    }
    return parse_dump(result.out, instance, runner.host());
}

std::pair<std::unique_ptr<Lock>, HostState> lock_and_read(exec::Runner& runner, const std::string& state_dir,
                                                          const std::string& instance, const std::string& command,
                                                          int wait_seconds, const Observer& observer) {
    tmpl::check_instance_name(instance);
    LockAnswer answer = take_lock(
        runner, exec::command(lock_argv(state_dir, instance, owner_line(command), wait_seconds, observer)), wait_seconds);
    if (answer.lock) {
        return {std::move(answer.lock), parse_dump(answer.output, instance, runner.host())};
    }
    const exec::Result& result = answer.result;
    if (result.exit_code == exec::k_status_lock_held) {
        throw Error(ErrorKind::lock_held, "instance " + util::quoted(instance) + " is locked by " +
                                              describe_owner(trimmed(sections_of(result.out)["held"])) +
                                              "; retry later or wait with --lock-timeout");
    }
    if (result.exit_code == exec::k_status_denied) {
        throw Error(ErrorKind::permission, "cannot write the state directory on the host: permission denied");
    }
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
    exec::Result result = runner.run(
        exec::command(record_argv(state.state_dir, instance, info.revision, audit.dump()), revision_to_json(revision) + "\n"));
    if (!result.ok()) {
        throw Error(result.exit_code == exec::k_status_denied ? ErrorKind::permission : ErrorKind::operation_failed,
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
        exec::command(write_init_marker_argv(state.instance_dir(instance), service.name), marker.dump() + "\n"));
    if (!result.ok()) {
        throw Error(result.exit_code == exec::k_status_denied ? ErrorKind::permission : ErrorKind::operation_failed,
                    "cannot record that the init of " + util::quoted(service.name) + " has run: " +
                        util::one_line(result.err));
    }
}

}  // namespace calzion::state
