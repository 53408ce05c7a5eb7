#include "ssh/connect.hpp"

#include "ssh/channel_loop.hpp"
#include "ssh/session.hpp"
#include "ssh/ssh_runner.hpp"

namespace calzion::ssh {

std::unique_ptr<exec::Runner> connect(const std::string& host_spec, const Options& options) {
    Target target;
    Session session = open_session(host_spec, options, target);
    auto loop = std::make_shared<ChannelLoop>(std::move(session), std::move(target));
    return std::make_unique<SshRunner>(std::move(loop));
}

}  // namespace calzion::ssh
