#include "ops/session.hpp"

#include "state/ownership.hpp"

namespace calzion::ops {

Session::Session(exec::Runner& runner, SessionOptions options) : m_host(runner), m_options(std::move(options)) {
    using Mode = SessionOptions::Mode;
    if (m_options.mode == Mode::change) {
        std::tie(m_lock, m_observed) = state::lock_and_read(m_host, m_options.state_dir, m_options.instance,
                                                            m_options.command, m_options.lock_timeout,
                                                            m_options.images);
        return;
    }
    m_observed = state::read_state(m_host, m_options.state_dir, m_options.instance, m_options.images);
    if (m_options.mode == Mode::dry_run) {
        state::check_owner(m_observed, m_options.instance, m_host.host());
        if (m_options.dry_run_to != nullptr) {
            m_dry.emplace(m_host.host(), *m_options.dry_run_to);
        }
    }
}

void Session::record_revision(const state::RevisionInfo& info, const std::string& deployment_json) {
    state::record_revision(runner(), m_observed, m_options.instance, info, deployment_json);
}

void Session::append_audit(const state::AuditEntry& entry) {
    state::append_audit(runner(), m_observed.instance_dir(m_options.instance), entry);
}

void Session::release() {
    if (m_lock) {
        m_lock->release();
    }
}

}  // namespace calzion::ops
