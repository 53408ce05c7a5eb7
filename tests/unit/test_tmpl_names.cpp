#include "tmpl/names.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <string>

#include "util/error.hpp"

using calzion::tmpl::dns_label_problem;
using calzion::tmpl::image_reference_problem;
using calzion::tmpl::is_env_name;
using calzion::tmpl::looks_like_image_reference;
using calzion::tmpl::service_name_from_image;

namespace {

// The problem as a string, "ok" when there is none.
std::string label(std::string_view name) { return dns_label_problem(name).value_or("ok"); }
std::string image(std::string_view reference) { return image_reference_problem(reference).value_or("ok"); }

const std::string k_digest = "sha256:" + std::string(64, 'a');

}  // namespace

TEST_CASE("tmpl::names") {
    SUBCASE("dns labels: [a-z0-9][a-z0-9-]{0,62}") {
        CHECK(label("web") == "ok");
        CHECK(label("myapp-staging") == "ok");
        CHECK(label("9lives") == "ok");
        CHECK(label("a") == "ok");
        CHECK(label("web-") == "a name ends with a lowercase letter or a digit");
        CHECK(label("abc-") == "a name ends with a lowercase letter or a digit");
        CHECK(label(std::string(63, 'a')) == "ok");
        CHECK(label("") == "a name cannot be empty");
        CHECK(label(std::string(64, 'a')) == "a name is at most 63 characters");
        CHECK(label("Web") == "a name starts with a lowercase letter or a digit");
        CHECK(label("-web") == "a name starts with a lowercase letter or a digit");
        CHECK(label("web_1") == "a name has only lowercase letters, digits and \"-\"");
        CHECK(label("web.app") == "a name has only lowercase letters, digits and \"-\"");
        CHECK(label("wEb") == "a name has only lowercase letters, digits and \"-\"");
        CHECK(label("w\xc3\xa9") == "a name has only lowercase letters, digits and \"-\"");
        CHECK(label("a b") == "a name has only lowercase letters, digits and \"-\"");
        CHECK(label("../etc") == "a name starts with a lowercase letter or a digit");
        CHECK(label("a/b") == "a name has only lowercase letters, digits and \"-\"");
    }

    SUBCASE("image references that docker accepts") {
        for (const std::string& reference :
             {std::string("nginx"), std::string("nginx:1.25"), std::string("nginx:1.25-alpine"),
              std::string("library/nginx:latest"), std::string("elsdoerfer/rethinkdb"),
              std::string("registry.example.com/team/app:v1.2_3"), std::string("registry.example.com:5000/app"),
              std::string("localhost/app"), std::string("localhost:5000/app:dev"), std::string("Registry.IO/app"),
              std::string("my-registry.io/a.b/c__d/e---f"), std::string("app:TAG_1.x-y"),
              "ghcr.io/owner/app@" + k_digest, "app:tag@" + k_digest, std::string(255, 'a')}) {
            CHECK_MESSAGE(image(reference) == "ok", reference);
        }
    }

    SUBCASE("image references that docker refuses") {
        CHECK(image("") == "an image reference has 1 to 255 characters");
        CHECK(image(std::string(256, 'a')) == "an image reference has 1 to 255 characters");
        const std::string path = "image names have lowercase letters, digits and separators (\".\", \"_\", \"-\") between them";
        CHECK(image("Nginx") == path);
        CHECK(image("nginx/") == path);
        CHECK(image("/nginx") == path);
        CHECK(image("team//app") == path);
        CHECK(image("a..b") == path);
        CHECK(image("a___b") == path);
        CHECK(image("a_.b") == path);
        CHECK(image("app-") == path);
        CHECK(image("-app") == path);
        CHECK(image("my app") == path);
        CHECK(image("$(id)") == path);
        const std::string tag = "the tag after \":\" has letters, digits, \"_\", \".\" and \"-\"";
        CHECK(image("nginx:") == tag);
        CHECK(image("nginx:-x") == tag);
        CHECK(image("nginx:.x") == tag);
        // A colon before a slash belongs to a registry host.
        CHECK(image("nginx:a/b") == "invalid registry host \"nginx:a\"");
        CHECK(image("nginx:" + std::string(129, 'a')) == tag);
        CHECK(image("nginx:" + std::string(128, 'a')) == "ok");
        CHECK(image("nginx:a b") == tag);
        const std::string digest = "the digest after \"@\" must read algorithm:hex";
        CHECK(image("nginx@sha256:xyz") == digest);
        CHECK(image("nginx@" + std::string(64, 'a')) == digest);
        CHECK(image("nginx@sha256:" + std::string(31, 'a')) == digest);
        CHECK(image("nginx@:" + std::string(64, 'a')) == digest);
        CHECK(image("my_registry:5000/app") == "invalid registry host \"my_registry:5000\"");
        CHECK(image("registry.io:port/app") == "invalid registry host \"registry.io:port\"");
        CHECK(image("registry.io:/app") == "invalid registry host \"registry.io:\"");
        CHECK(image("-registry.io/app") == "invalid registry host \"-registry.io\"");
        // A path that climbs is no registry host: "../x" is not the image "x".
        CHECK(image("../x") == "invalid registry host \"..\"");
        CHECK(image("./x") == "invalid registry host \".\"");
        CHECK(image("a..b.io/x") == "invalid registry host \"a..b.io\"");
        CHECK(image("registry-.io/x") == "invalid registry host \"registry-.io\"");
    }

    SUBCASE("a top-level key that reads as an image reference") {
        CHECK(looks_like_image_reference("elsdoerfer/rethinkdb"));
        CHECK(looks_like_image_reference("redis:7"));
        CHECK(looks_like_image_reference("app@" + k_digest));
        CHECK_FALSE(looks_like_image_reference("app"));
        CHECK_FALSE(looks_like_image_reference("my-app.v2"));
    }

    SUBCASE("the service name of an image reference is its last path component") {
        CHECK(service_name_from_image("elsdoerfer/rethinkdb") == "rethinkdb");
        CHECK(service_name_from_image("mycompany/redis") == "redis");
        CHECK(service_name_from_image("redis:7") == "redis");
        CHECK(service_name_from_image("registry.example.com:5000/team/app:v1") == "app");
        CHECK(service_name_from_image("localhost:5000/app@" + k_digest) == "app");
        CHECK(service_name_from_image("app:tag@" + k_digest) == "app");
        CHECK(service_name_from_image("redis") == "redis");
    }

    SUBCASE("environment variable names: [A-Za-z_][A-Za-z0-9_]*") {
        for (const char* name : {"A", "_", "_x", "DATABASE_URL", "a1", "camelCase"}) {
            CHECK_MESSAGE(is_env_name(name), name);
        }
        for (const char* name : {"", "1A", "A-B", "A.B", "A B", "A=B", "$A", "\xc3\xa9"}) {
            CHECK_FALSE_MESSAGE(is_env_name(name), name);
        }
    }
}

TEST_CASE("tmpl::check_instance_name") {
    CHECK_NOTHROW(calzion::tmpl::check_instance_name("shop-2"));
    try {
        calzion::tmpl::check_instance_name("../etc");
        FAIL("no error");
    } catch (const calzion::Error& error) {
        CHECK(error.kind() == calzion::ErrorKind::usage);
        CHECK(error.message() == "invalid instance name \"../etc\": a name starts with a lowercase letter or a digit");
    }
    CHECK_THROWS_WITH_AS(calzion::tmpl::check_instance_name("Shop"),
                         "invalid instance name \"Shop\": a name starts with a lowercase letter or a digit",
                         calzion::Error);
}
