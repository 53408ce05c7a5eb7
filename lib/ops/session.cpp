#include "ops/session.hpp"

#include "backend/ownership.hpp"
#include "backend/read.hpp"
#include "ops/backends.hpp"

namespace calzion::ops {

Session::Session(exec::Runner& runner, SessionOptions options)
    : m_host(runner), m_options(std::move(options)), m_backend(ops::backend_named(m_options.backend)) {
    using Mode = SessionOptions::Mode;
    if (m_options.mode == Mode::change) {
        auto read = backend::lock_and_read(m_backend, m_host, m_options.state_dir, m_options.instance,
                                           m_options.command, m_options.lock_timeout, m_options.images);
        m_lock = std::move(read.lock);
        m_observed = std::move(read.recorded);
        m_runtime = std::move(read.observed);
        return;
    }
    std::tie(m_observed, m_runtime) =
        backend::read(m_backend, m_host, m_options.state_dir, m_options.instance, m_options.images);
    if (m_options.mode == Mode::dry_run) {
        backend::check_owner(m_runtime, m_observed, m_options.instance, m_host.host());
        if (m_options.dry_run_to != nullptr) {
            m_dry.emplace(m_host.host(), *m_options.dry_run_to);
        }
    }
}

void Session::record_revision(const state::RevisionInfo& info, const render::Deployment& deployment) {
    state::record_revision(runner(), m_observed, m_options.instance, info, deployment);
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
