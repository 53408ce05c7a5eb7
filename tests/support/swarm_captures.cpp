#include "swarm_captures.hpp"

#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

namespace calzion::testing {

std::string swarm_capture(const std::string& name) {
    std::ifstream file(std::string(CALZION_TEST_DATA) + "/swarm/" + name);
    REQUIRE(file.good());
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

const char* const k_swarm_web = R"(
services:
  web:
    image: local/busybox:1
    cmd: ["sh", "-c", "mkdir -p /www && echo \"page $$GREETING\" > /www/index.html && exec httpd -f -p 8080 -h /www"]
    env: {GREETING: "${GREETING:-hi}", HOSTILE: "$$(rm -rf /) 'q' \"d\""}
    healthcheck: {cmd: "wget -q -O /dev/null http://127.0.0.1:8080/ || exit 1", interval: 1s, retries: 3}
    secrets: [TOKEN]
    volumes: ["data:/data", "/cache"]
    ports: ["18080:8080"]
)";

}  // namespace calzion::testing
