#include "tmpl/mounts.hpp"

#include <doctest/doctest.h>

#include <string>

using calzion::tmpl::parse_port;
using calzion::tmpl::parse_volume;
using calzion::tmpl::Port;
using calzion::tmpl::to_publish_argument;
using calzion::tmpl::Volume;

namespace {

// "kind source target ro|rw", or "error: <problem>".
std::string volume(std::string_view text) {
    std::string problem;
    auto parsed = parse_volume(text, problem);
    if (!parsed) {
        CHECK_FALSE(problem.empty());
        return "error: " + problem;
    }
    const char* kinds[] = {"instance", "named", "bind"};
    return std::string(kinds[static_cast<int>(parsed->kind)]) + " " + parsed->source + " " + parsed->target + " " +
           (parsed->read_only ? "ro" : "rw");
}

// "ip|host|container|protocol", or "error: <problem>".
std::string port(std::string_view text) {
    std::string problem;
    auto parsed = parse_port(text, problem);
    if (!parsed) {
        CHECK_FALSE(problem.empty());
        return "error: " + problem;
    }
    return parsed->host_ip + "|" + std::to_string(parsed->host_port) + "|" + std::to_string(parsed->container_port) +
           "|" + parsed->protocol;
}

const std::string k_container_path =
    "error: the path in the container must be absolute, without \".\" or \"..\", and not \"/\"";
const std::string k_host_path = "error: the host path must be absolute, without \".\" or \"..\"";
const std::string k_volume_name =
    "error: a volume name has letters, digits, \"_\", \".\" and \"-\" (a host path starts with \"/\")";
const std::string k_volume_form =
    "error: a volume reads /path, name:/path or /host/path:/path, each optionally followed by :ro";
const std::string k_port_number = "error: ports are numbers from 1 to 65535";

}  // namespace

TEST_CASE("tmpl::mounts") {
    SUBCASE("volumes: a directory kept with the instance") {
        CHECK(volume("/data") == "instance  /data rw");
        CHECK(volume("/var/lib/postgresql/data") == "instance  /var/lib/postgresql/data rw");
        CHECK(volume("/data:ro") == "instance  /data ro");
        CHECK(volume("/data:rw") == "instance  /data rw");
    }

    SUBCASE("volumes: a named volume and an explicit bind") {
        CHECK(volume("pgdata:/var/lib/postgresql/data") == "named pgdata /var/lib/postgresql/data rw");
        CHECK(volume("cache_1.v-2:/cache:ro") == "named cache_1.v-2 /cache ro");
        CHECK(volume("/srv/www:/usr/share/nginx/html:ro") == "bind /srv/www /usr/share/nginx/html ro");
        CHECK(volume("/etc/localtime:/etc/localtime") == "bind /etc/localtime /etc/localtime rw");
    }

    SUBCASE("volumes: the path in the container") {
        CHECK(volume("data") == k_container_path);
        CHECK(volume("/") == k_container_path);
        CHECK(volume("") == k_container_path);
        CHECK(volume("/a/../b") == k_container_path);
        CHECK(volume("/a/./b") == k_container_path);
        CHECK(volume("/..") == k_container_path);
        CHECK(volume("name:relative") == k_container_path);
        CHECK(volume("name:/") == k_container_path);
        CHECK(volume("/data/") == "instance  /data/ rw");
    }

    SUBCASE("volumes: sources") {
        CHECK(volume(":/data") == "error: the part before \":\" is empty");
        CHECK(volume(":/data:ro") == "error: the part before \":\" is empty");
        CHECK(volume("/etc/../root:/data") == k_host_path);
        CHECK(volume("./rel:/data") == k_volume_name);
        CHECK(volume("~/x:/data") == k_volume_name);
        CHECK(volume("my vol:/data") == k_volume_name);
        CHECK(volume("-vol:/data") == k_volume_name);
        CHECK(volume(std::string(65, 'v') + ":/data") == k_volume_name);
        CHECK(volume(std::string(64, 'v') + ":/data") == "named " + std::string(64, 'v') + " /data rw");
    }

    SUBCASE("volumes: the form") {
        CHECK(volume("a:/b:/c") == k_volume_form);
        CHECK(volume("name:/data:rx") == k_volume_form);
        CHECK(volume("name:/data:ro:ro") == k_volume_form);
        CHECK(volume("/a:/b:/c:ro") == k_volume_form);
    }

    SUBCASE("ports") {
        CHECK(port("80") == "|0|80|tcp");
        CHECK(port("8080:80") == "|8080|80|tcp");
        CHECK(port("127.0.0.1:8080:80") == "127.0.0.1|8080|80|tcp");
        CHECK(port("127.0.0.1::80") == "127.0.0.1|0|80|tcp");
        CHECK(port("53/udp") == "|0|53|udp");
        CHECK(port("5353:53/udp") == "|5353|53|udp");
        CHECK(port("9000/sctp") == "|0|9000|sctp");
        CHECK(port("65535:1") == "|65535|1|tcp");
    }

    SUBCASE("ports: errors") {
        CHECK(port("") == k_port_number);
        CHECK(port("0") == k_port_number);
        CHECK(port("65536") == k_port_number);
        CHECK(port("123456") == k_port_number);
        CHECK(port("http") == k_port_number);
        CHECK(port("-1") == k_port_number);
        CHECK(port(" 80") == k_port_number);
        CHECK(port("8080:") == k_port_number);
        CHECK(port(":80") == k_port_number);
        CHECK(port("0:80") == k_port_number);
        CHECK(port("8000-8010:8000-8010") == k_port_number);
        CHECK(port("80/http") == "error: the protocol after \"/\" is tcp, udp or sctp");
        CHECK(port("80/") == "error: the protocol after \"/\" is tcp, udp or sctp");
        CHECK(port("1:2:3:4") == "error: a port reads container, host:container or ip:host:container");
        const std::string address = "error: the address before the host port must be an IPv4 address";
        CHECK(port("localhost:8080:80") == address);
        CHECK(port(":8080:80") == address);
        CHECK(port("1.2.3:8080:80") == address);
        CHECK(port("1.2.3.4.5:8080:80") == address);
        CHECK(port("256.0.0.1:8080:80") == address);
        CHECK(port("1..2.3:8080:80") == address);
    }

    SUBCASE("to_publish_argument writes what docker --publish reads") {
        CHECK(to_publish_argument(Port{"", 0, 80, "tcp"}) == "80/tcp");
        CHECK(to_publish_argument(Port{"", 8080, 80, "tcp"}) == "8080:80/tcp");
        CHECK(to_publish_argument(Port{"127.0.0.1", 8080, 80, "udp"}) == "127.0.0.1:8080:80/udp");
        CHECK(to_publish_argument(Port{"127.0.0.1", 0, 80, "tcp"}) == "127.0.0.1::80/tcp");
        for (const char* text : {"80", "8080:80/udp", "127.0.0.1:8080:80", "127.0.0.1::80/sctp"}) {
            std::string problem;
            auto parsed = parse_port(text, problem);
            REQUIRE(parsed);
            CHECK(port(to_publish_argument(*parsed)) == port(text));
        }
    }
}
