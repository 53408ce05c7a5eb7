#pragma once

#include <string>
#include <vector>

namespace calzion::state {

// What a backend hands the store's read to look at the host in the same round
// trip: a constant POSIX sh fragment and its arguments. The read and lock
// scripts print the store's records, then run the fragment in a subshell of
// its own with these arguments (never on its stdin, which may hold the lock);
// what it prints is HostState::observer_output. The fragment's lines must not
// start with "@@calzion ", the store's own section marker. The fragment may
// read $idir, the instance's directory in the store (which may not exist yet),
// where a backend keeps records of its own (swarm: the versions it left).
struct Observer {
    std::string script;              // empty: nothing to look at
    std::vector<std::string> args;
};

}  // namespace calzion::state
