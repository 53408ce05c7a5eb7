#include "state/history.hpp"

#include <algorithm>

#include "exec/run_checked.hpp"
#include "exec/script_status.hpp"
#include "state/scripts.hpp"
#include "state/sections.hpp"
#include "tmpl/names.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

namespace calzion::state {

const Revision* History::find(int revision) const {
    auto it = std::find_if(revisions.begin(), revisions.end(),
                           [&](const Revision& record) { return record.revision == revision; });
    return it == revisions.end() ? nullptr : &*it;
}

History parse_history(const std::string& output, const std::string& instance, const std::string& host) {
    auto sections = sections_of(output);
    if (!sections.count("end")) {
        throw Error(ErrorKind::operation_failed, "the history on the host could not be read");
    }
    History history;
    history.state_dir = trimmed(sections["state_dir"]);
    state_format_in(sections["format"], history.state_dir);
    history.current_revision = std::max(0, number_in(sections["current"]));
    for (const auto& [name, text] : sections) {
        // Files in revisions/ that are not named after a number are not revisions.
        int revision = util::starts_with(name, "revision ") ? number_in(name.substr(9)) : -1;
        if (revision > 0) {
            std::string file = revision_file(history.state_dir + "/instances/" + instance, revision);
            history.revisions.push_back(parse_revision(text, host, file));
            history.revisions.back().revision = revision;
        }
    }
    std::sort(history.revisions.begin(), history.revisions.end(),
              [](const Revision& a, const Revision& b) { return a.revision > b.revision; });
    return history;
}

History read_history(exec::Runner& runner, const std::string& state_dir, const std::string& instance) {
    tmpl::check_instance_name(instance);
    exec::Result result = runner.run(exec::command(history_argv(state_dir, instance)));
    if (!result.ok()) {
        std::string detail = trimmed(result.err.empty() ? "exit " + std::to_string(result.exit_code) : result.err);
        throw Error(result.exit_code == exec::k_status_denied ? ErrorKind::permission : ErrorKind::operation_failed,
                    "cannot read the history on the host: " + detail);
    }
    return parse_history(result.out, instance, runner.host());
}

}  // namespace calzion::state
