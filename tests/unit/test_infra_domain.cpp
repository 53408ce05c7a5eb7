#include "infra/domain.hpp"

#include <doctest/doctest.h>

#include <string>

using namespace calzion;

TEST_CASE("infra::domain_problem") {
    for (const char* good : {"example.com", "www.example.com", "a", "x-1.example.test", "*.example.com"}) {
        CAPTURE(good);
        CHECK_FALSE(infra::domain_problem(good).has_value());
    }
    CHECK(infra::domain_problem("") == "it is empty");
    CHECK(infra::domain_problem("WWW.example.com") == "it must be in lowercase");
    CHECK(infra::domain_problem("a..b") == "it has an empty label (\"..\", or a dot at either end)");
    CHECK(infra::domain_problem("example.com.") == "it has an empty label (\"..\", or a dot at either end)");
    CHECK(infra::domain_problem("-a.example.com") == "a label starts or ends with a hyphen");
    CHECK(infra::domain_problem("a_b.example.com") == "it may only hold letters a-z, digits, hyphens and dots");
    CHECK(infra::domain_problem("*") == "it may only hold letters a-z, digits, hyphens and dots");
    CHECK(infra::domain_problem("a.*.com") == "it may only hold letters a-z, digits, hyphens and dots");
    CHECK(infra::domain_problem(std::string(64, 'a') + ".com") == "a label is longer than 63 characters");
    CHECK(infra::domain_problem(std::string(250, 'a') + ".com") == "it is longer than 253 characters");
}
