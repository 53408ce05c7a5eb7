#pragma once

#include <string>
#include <vector>

namespace calzion::docker {

// argv that moves a service's traffic from its old container to its new, ready
// one, on the host, in an order that fails no request:
//   1. the new container joins the service's DNS alias on `network` (it was
//      started without it, so nobody reached it before it was ready);
//   2. the old one leaves the alias (both served meanwhile);
//   3. `drain_seconds` pass, for DNS caches to expire (the router keeps a name
//      1 s) and requests already sent to the old container to finish;
//   4. the old one is stopped gracefully (docker stop: its stop signal, then
//      its own stop timeout) and removed.
// A container joins or leaves an alias by leaving the network and joining it
// again: docker gives aliases only when a container joins. On a network with
// a subnet of its own (calzion creates instance networks so) it keeps its
// address, so connections it opened or serves go on; on an older network
// docker may give it another. Each step is skipped when already done, so that
// a hand-over an interrupted deploy left half done can be run again. With
// `old` empty or gone, only step 1 runs. Exits non-zero with docker's message
// on stderr when a step fails.
std::vector<std::string> hand_over_argv(const std::string& network, const std::string& alias,
                                        const std::string& new_container, const std::string& old_container,
                                        int drain_seconds);

}  // namespace calzion::docker
