// The router's nginx configuration: exact text, the same bytes for the same
// routes in any order, and nothing written that could change its meaning.
#include <doctest/doctest.h>

#include <algorithm>

#include "router/config.hpp"
#include "util/error.hpp"

using namespace calzion;
using router::Route;

namespace {

Route route(const std::string& domain, int port, const std::string& instance, const std::string& service = "web") {
    return {domain, port, instance, service, instance + "-" + service, "cz-" + instance};
}

// Every message of the error render_config throws, one per line.
std::string problems_of(const std::vector<Route>& routes) {
    try {
        router::render_config(routes);
    } catch (const Error& error) {
        CHECK(error.kind() == ErrorKind::invalid_data);
        std::string text;
        for (const auto& diagnostic : error.diagnostics()) {
            text += diagnostic.message + "\n";
        }
        return text;
    }
    return "no error";
}

}  // namespace

TEST_CASE("router::render_config") {
    SUBCASE("one route, exactly") {
        CHECK(router::render_config({route("a.example.test", 8080, "a")}) ==
              R"(# The router of this host, written by calzion from the current revision of every
# instance: do not edit, `calzion router sync` writes it again.
daemon off;
error_log stderr;

events {
    worker_connections 1024;
}

http {
    access_log /dev/stdout;
    server_names_hash_max_size 4096;
    server_names_hash_bucket_size 512;
    # Docker's DNS, which knows the containers of every network the router is
    # connected to. With the address in a variable, a name is looked up when a
    # request comes: nginx starts and reloads while a backend is down. Names
    # are kept 1 s: a replaced container, out of its alias, gets no request
    # after that.
    resolver 127.0.0.11 valid=1s ipv6=off;
    proxy_http_version 1.1;
    proxy_set_header Host $host;
    proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
    proxy_set_header X-Forwarded-Proto $scheme;

    # Names no instance routes.
    server {
        listen 80 default_server;
        return 404;
    }

    # a.example.test: instance a, service web
    server {
        listen 80;
        server_name a.example.test;
        location / {
            set $calzion_backend http://web.cz-a:8080;
            proxy_pass $calzion_backend;
        }
    }
}
)");
    }

    SUBCASE("no routes: only the server that answers 404") {
        std::string config = router::render_config({});
        CHECK(config.find("default_server;\n        return 404;") != std::string::npos);
        CHECK(config.find("server_name ") == std::string::npos);
    }

    SUBCASE("servers in the order of their domains, whatever the order of the routes") {
        std::vector<Route> routes = {route("b.example.test", 80, "b"), route("a.example.test", 8080, "a", "api"),
                                     route("*.c.example.test", 3000, "c"), route("c.example.test", 3000, "c")};
        std::string config = router::render_config(routes);
        std::reverse(routes.begin(), routes.end());
        CHECK(router::render_config(routes) == config);
        size_t wildcard = config.find("server_name *.c.example.test;");
        size_t a = config.find("server_name a.example.test;");
        size_t b = config.find("server_name b.example.test;");
        size_t c = config.find("server_name c.example.test;");
        CHECK(wildcard < a);
        CHECK(a < b);
        CHECK(b < c);
        CHECK(c != std::string::npos);
        CHECK(config.find("set $calzion_backend http://api.cz-a:8080;") != std::string::npos);
        CHECK(config.find("set $calzion_backend http://web.cz-b:80;") != std::string::npos);
    }

    SUBCASE("one service may have several domains") {
        std::string config = router::render_config({route("a.example.test", 80, "a"), route("www.a.example.test", 80, "a")});
        CHECK(config.find("server_name a.example.test;") != std::string::npos);
        CHECK(config.find("server_name www.a.example.test;") != std::string::npos);
    }

    SUBCASE("a domain routed twice is refused, naming both instances") {
        CHECK(problems_of({route("shop.example.test", 80, "shop-a"), route("x.example.test", 80, "x"),
                           route("shop.example.test", 8000, "shop-b", "api")}) ==
              "domain \"shop.example.test\" is routed by both instance \"shop-a\" (service \"web\") and instance "
              "\"shop-b\" (service \"api\"): a domain can go to one service only\n");
        CHECK(problems_of({route("a.example.test", 80, "a"), route("a.example.test", 80, "a", "api")}) ==
              "domain \"a.example.test\" is routed by both instance \"a\" (service \"api\") and instance \"a\" "
              "(service \"web\"): a domain can go to one service only\n");
    }

    SUBCASE("values that would change the configuration's meaning are refused, every one") {
        Route hostile = route("a.example.test; } server { listen 81", 80, "a");
        Route port = route("b.example.test", 0, "b");
        Route container = route("c.example.test", 80, "c");
        container.container = "c-web:80; return 200";
        Route network = route("d.example.test", 80, "d");
        network.network = "cz d";
        CHECK(problems_of({hostile, port, container, network}) ==
              "instance \"a\" (service \"web\"): cannot route domain \"a.example.test; } server { listen 81\": it "
              "may only hold letters a-z, digits, hyphens and dots\n"
              "instance \"b\" (service \"web\"): domain \"b.example.test\": port 0 is not from 1 to 65535\n"
              "instance \"c\" (service \"web\"): invalid container name \"c-web:80; return 200\"\n"
              "instance \"d\" (service \"web\"): invalid network name \"cz d\"\n");
        Route service = route("e.example.test", 80, "e", "web\n    server { }");
        service.container = "e-web";
        CHECK(problems_of({service}).find("): invalid service name: ") != std::string::npos);
    }
}
