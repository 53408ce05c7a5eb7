#include "util/host_spec.hpp"
#include "util/error.hpp"

#include <doctest/doctest.h>

using calzion::Error;
using calzion::ErrorKind;
using calzion::util::HostSpec;
using calzion::util::parse_host_spec;

namespace {

std::string error_of(std::string_view spec) {
    try {
        parse_host_spec(spec);
    } catch (const Error& error) {
        CHECK(error.kind() == ErrorKind::usage);
        return error.message();
    }
    return "(no error)";
}

}  // namespace

TEST_CASE("util::parse_host_spec") {
    SUBCASE("host, user and port") {
        CHECK(parse_host_spec("web1") == HostSpec{"", "web1", std::nullopt});
        CHECK(parse_host_spec("deploy@web1") == HostSpec{"deploy", "web1", std::nullopt});
        CHECK(parse_host_spec("web1:2222") == HostSpec{"", "web1", 2222});
        CHECK(parse_host_spec("deploy@203.0.113.10:22") == HostSpec{"deploy", "203.0.113.10", 22});
        CHECK(parse_host_spec("my_host.example-1.com") == HostSpec{"", "my_host.example-1.com", std::nullopt});
    }

    SUBCASE("IPv6 in brackets or bare") {
        CHECK(parse_host_spec("[::1]:2222") == HostSpec{"", "::1", 2222});
        CHECK(parse_host_spec("root@[::1]") == HostSpec{"root", "::1", std::nullopt});
        CHECK(parse_host_spec("::1") == HostSpec{"", "::1", std::nullopt});
        CHECK(parse_host_spec("fe80::1%eth0") == HostSpec{"", "fe80::1%eth0", std::nullopt});
    }

    SUBCASE("exact errors") {
        CHECK(error_of("") == "invalid host \"\": the host name is empty");
        CHECK(error_of("deploy@") == "invalid host \"deploy@\": the host name is empty");
        CHECK(error_of("@web1") == "invalid host \"@web1\": the user name is empty");
        CHECK(error_of("-oProxyCommand=evil") == "invalid host \"-oProxyCommand=evil\": a host name must not "
                                                 "start with \"-\"");
        CHECK(error_of("-l@web1") == "invalid host \"-l@web1\": a user name must not start with \"-\"");
        CHECK(error_of("web 1") == "invalid host \"web 1\": unexpected character \" \" in the host name");
        CHECK(error_of("web\n1") == "invalid host \"web\\n1\": unexpected character \"\\n\" in the host name");
        CHECK(error_of("we\x01" "b") ==
              "invalid host \"we\\x01b\": unexpected character \"\\x01\" in the host name");
        CHECK(error_of("a'b") == "invalid host \"a'b\": unexpected character \"'\" in the host name");
        CHECK(error_of("web1%x") == "invalid host \"web1%x\": unexpected character \"%\" in the host name");
        CHECK(error_of("[::1") == "invalid host \"[::1\": missing \"]\"");
        CHECK(error_of("[::1]2222") == "invalid host \"[::1]2222\": expected \":PORT\" after \"]\"");
        CHECK(error_of("[]:22") == "invalid host \"[]:22\": the host name is empty");
        CHECK(error_of("x y@web1") == "invalid host \"x y@web1\": unexpected character \" \" in the user name");
    }

    SUBCASE("exact port errors") {
        CHECK(error_of("web1:") ==
              "invalid port \"\" in host \"web1:\": expected a number from 1 to 65535");
        CHECK(error_of("web1:ssh") ==
              "invalid port \"ssh\" in host \"web1:ssh\": expected a number from 1 to 65535");
        CHECK(error_of("web1:0") == "invalid port \"0\" in host \"web1:0\": expected a number from 1 to 65535");
        CHECK(error_of("web1:65536") ==
              "invalid port \"65536\" in host \"web1:65536\": expected a number from 1 to 65535");
        CHECK(error_of("web1:-1") ==
              "invalid port \"-1\" in host \"web1:-1\": expected a number from 1 to 65535");
        CHECK(error_of("[::1]:99999999") ==
              "invalid port \"99999999\" in host \"[::1]:99999999\": expected a number from 1 to 65535");
        CHECK(parse_host_spec("web1:65535").port == 65535);
    }
}
