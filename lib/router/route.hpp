#pragma once

#include <string>

namespace calzion::router {

// One domain the router of a host serves: requests whose Host is `domain` go to
// `port` of `container`, which the router reaches on `network`.
struct Route {
    std::string domain;     // "www.example.com"
    int port = 0;           // in the container
    std::string instance;   // whose current revision asks for it
    std::string service;
    std::string container;  // <instance>_<service>
    std::string network;    // the instance's network, cz-<instance>
};

}  // namespace calzion::router
