#pragma once

#include "exec/runner.hpp"
#include "ssh/channel_loop.hpp"

#include <memory>
#include <string>

namespace calzion::ssh {

// A Runner for one host over one SSH connection. Each command runs on its own
// channel as util::shell_join(argv), by the login shell of the remote user; at
// most ChannelLoop::k_max_commands run() calls are on the wire at once, the rest
// wait for a slot (within their timeout). Output of both streams is read as it
// comes. On Command::timeout the channel is closed and run() throws
// Error(operation_failed); the remote program may keep running (OpenSSH does not
// kill a program without a terminal when its channel closes).
//
// For start(), stdout feeds Process::read_line and stderr goes to the Result of
// finish() (Command::on_output is not used); Command::timeout bounds finish().
// Started programs do not take one of the run() slots. Process::write adds to
// their stdin, blocking while 1 MiB of it waits to be sent.
class SshRunner final : public exec::Runner {
public:
    explicit SshRunner(std::shared_ptr<ChannelLoop> loop);

    exec::Result run(const exec::Command& command) override;
    std::unique_ptr<exec::Process> start(const exec::Command& command) override;
    // With `how.tty`, a terminal of the local one's size and TERM is allocated
    // on the host, the local one is in raw mode meanwhile, and size changes
    // follow. stdin is forwarded as it is read.
    exec::Result attach(const exec::Command& command, const exec::Attach& how) override;
    const std::string& host() const override { return m_loop->target().label; }

private:
    std::shared_ptr<ChannelLoop> m_loop;
};

}  // namespace calzion::ssh
