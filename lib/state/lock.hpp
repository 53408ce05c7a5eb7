#pragma once

// The one lock protocol of calzion's host state, for an instance's lock and the
// host's router lock alike. A lock is a directory `lock` in a directory of the
// state (the instance's, the router's) holding the holder's pid and owner
// record. A script takes it (waiting for another holder, taking over from one
// that is gone), prints "@@calzion locked" and what it observes under the lock,
// then holds it until its stdin closes: when calzion finishes, dies or loses
// the connection.

#include <memory>
#include <string>

#include "exec/runner.hpp"

namespace calzion::state {

// A lock held on one host, until release() or destruction, and released by the
// host if calzion or the connection dies.
class Lock {
public:
    explicit Lock(std::unique_ptr<exec::Process> holder) : m_holder(std::move(holder)) {}
    ~Lock();
    Lock(const Lock&) = delete;
    Lock& operator=(const Lock&) = delete;

    // Let the lock go and wait until the host has removed it.
    void release();

private:
    std::unique_ptr<exec::Process> m_holder;
};

// The shell function `calzion_lock DIR OWNER WAIT TIDY` that host scripts start
// with (after exec::script_status_prelude()): it takes the lock DIR/lock for the
// owner record OWNER, waiting up to WAIT seconds, and prints "@@calzion locked";
// the lock goes when the script ends. When DIR cannot be made it prints
// "@@calzion denied" and DIR, and exits $calzion_denied; when the lock stays
// held, "@@calzion held" and the holder's owner record, and exits
// $calzion_held. With TIDY "yes", DIR goes too when nothing else is left in it.
const char* lock_function();

// The owner record of a lock taken now by this process for `command`.
std::string owner_line(const std::string& command);

// "alice@laptop (deploy since 2026-11-22T09:14:03Z, pid 4242)" from an owner
// record; the record quoted when it is not one, "another calzion" when empty.
std::string describe_owner(const std::string& line);

// What a lock script answered.
struct LockAnswer {
    std::unique_ptr<Lock> lock;  // null when the lock was not taken
    std::string output;          // taken: what it printed after "@@calzion locked", through "@@calzion end"
    exec::Result result;         // not taken: how it ended, with everything it printed as `out`
};

// Start `command`, a script that takes a lock with calzion_lock and then
// observes, and read its answer, waiting `wait_seconds` plus a margin for the
// reply. Throws only as the runner does.
LockAnswer take_lock(exec::Runner& runner, const exec::Command& command, int wait_seconds);

}  // namespace calzion::state
