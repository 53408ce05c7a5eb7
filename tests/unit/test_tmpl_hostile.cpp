// Hostile input: whatever the bytes, validate() and render() either succeed or throw
// calzion::Error with a located, readable message; they never crash, hang, or let
// another exception out.

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "render/deployment_json.hpp"
#include "render/render.hpp"
#include "template_helpers.hpp"
#include "tmpl/document.hpp"
#include "util/error.hpp"

using calzion::Error;
using calzion::ErrorKind;
using calzion::testing::joined;
using calzion::testing::render_problems;
using calzion::testing::render_yaml;
using calzion::testing::validate_problems;

namespace {

// The outcome of validating and then rendering `yaml`: "ok" when both succeed, else
// the first problem of the first that fails. Any exception but Error fails the test.
std::string outcome(const std::string& yaml) {
    try {
        calzion::render::Source source = calzion::testing::source_of(yaml);
        calzion::render::validate(source);
        calzion::render::RenderOptions options;
        options.instance = "hostile";
        calzion::render::Deployment deployment = calzion::render::render(source, options);
        // The outputs must be producible too (valid UTF-8 all the way).
        calzion::render::deployment_to_json(deployment).dump();
        calzion::render::deployment_to_yaml(deployment);
        return "ok";
    } catch (const Error& error) {
        CHECK(error.kind() == ErrorKind::invalid_data);
        CHECK(!error.diagnostics().empty());
        const auto& first = error.diagnostics().front();
        return first.where.to_string() + ": " + first.message;
    }
}

std::string random_bytes(std::mt19937& random, size_t size, const std::string& alphabet = {}) {
    std::uniform_int_distribution<int> byte(0, 255);
    std::string out;
    out.reserve(size);
    for (size_t i = 0; i < size; ++i) {
        int value = byte(random);
        out += alphabet.empty() ? static_cast<char>(value) : alphabet[static_cast<size_t>(value) % alphabet.size()];
    }
    return out;
}

std::string repeated(const std::string& text, size_t times) {
    std::string out;
    out.reserve(text.size() * times);
    for (size_t i = 0; i < times; ++i) {
        out += text;
    }
    return out;
}

std::string services(size_t count, const std::string& body) {
    std::string yaml = "services:\n";
    for (size_t i = 0; i < count; ++i) {
        std::string name = "s" + std::to_string(i);
        std::string next = "s" + std::to_string(i + 1);
        std::string line = body;
        for (size_t at = line.find("NAME"); at != std::string::npos; at = line.find("NAME")) {
            line.replace(at, 4, name);
        }
        for (size_t at = line.find("NEXT"); at != std::string::npos; at = line.find("NEXT")) {
            line.replace(at, 4, next);
        }
        yaml += "  " + name + ": " + line + "\n";
    }
    return yaml;
}

}  // namespace

TEST_CASE("tmpl::hostile") {
    SUBCASE("nothing, a bare scalar, a list, a null") {
        const std::string empty = "t.yaml:1:1: the template is empty: it maps service names to their settings";
        CHECK(outcome("") == empty);
        CHECK(outcome("\n\n\n") == empty);
        CHECK(outcome("# nothing but a comment") == empty);
        CHECK(outcome("~") == empty);
        CHECK(outcome("hello") == "t.yaml:1:1: the template is a scalar, not a mapping: it maps service names to their settings");
        CHECK(outcome("[a, b]") == "t.yaml:1:1: the template is a list, not a mapping: it maps service names to their settings");
        CHECK(outcome("- a\n- b\n") == "t.yaml:1:1: the template is a list, not a mapping: it maps service names to their settings");
        CHECK(outcome("{}") == "t.yaml:1:1: the template defines no services");
    }

    SUBCASE("10,000 services validate and render") {
        std::string yaml = services(10'000, "{image: \"nginx:1.25\", env: {N: \"${service}\"}, depends_on: [NEXT], "
                                            "volumes: [/data, \"v:/v\"], ports: [80]}");
        yaml += "  s10000: {image: busybox}\n";
        CHECK(validate_problems(yaml).empty());
        calzion::render::Deployment deployment = render_yaml(yaml, "big");
        REQUIRE(deployment.services.size() == 10'001);
        // Every service waits for the next one: the last is started first.
        CHECK(deployment.services.front().name == "s10000");
        CHECK(deployment.services.back().name == "s0");
        CHECK(deployment.services.back().env.at("N") == "s0");
        CHECK(deployment.services.back().mounts[1].source == "cz_big_v");
    }

    SUBCASE("10,000 services in one dependency cycle: one clean, short message") {
        std::string yaml = services(10'000, "{depends_on: [NEXT]}");
        yaml.replace(yaml.rfind("[s10000]"), 8, "[s0]");
        CHECK(outcome(yaml) ==
              R"(t.yaml:2:21: dependency cycle: "s0" -> "s1" -> "s2" -> "s3" -> "s4" -> "s5" -> ... (9993 more) -> "s9999" -> "s0")");
    }

    SUBCASE("12,000 broken services: the first 10,000 problems, and a count of the rest") {
        std::vector<std::string> problems = validate_problems(services(12'000, "{imgae: x}"));
        REQUIRE(problems.size() == 10'001);
        CHECK(problems.front() == R"(t.yaml:2:8: unknown key "imgae" in service "s0", did you mean "image"?)");
        CHECK(problems[9'999] == R"(t.yaml:10001:11: unknown key "imgae" in service "s9999", did you mean "image"?)");
        CHECK(problems.back() == "t.yaml: 2000 more problems not shown");
    }

    SUBCASE("deep nesting: 10,000 levels of [ and of mappings") {
        const std::string too_deep = "values nested too deeply (more than 64 levels)";
        CHECK(outcome(repeated("[", 10'000)).find(too_deep) != std::string::npos);
        CHECK(outcome(repeated("[", 10'000) + repeated("]", 10'000)) == "t.yaml:1:66: " + too_deep);
        CHECK(outcome("web: {env: " + repeated("{a: ", 10'000) + repeated("}", 10'000) + "}") ==
              "t.yaml:1:261: " + too_deep);
        std::string block;
        for (int i = 0; i < 10'000; ++i) {
            block += std::string(static_cast<size_t>(i % 500), ' ') + "k:\n";
        }
        CHECK(outcome(block) == "t.yaml:65:65: " + too_deep);
        CHECK(outcome(repeated("- ", 10'000) + "x") == "t.yaml:1:131: " + too_deep);
    }

    SUBCASE("an alias bomb") {
        std::string bomb = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
        for (char level = 'b'; level <= 'i'; ++level) {
            std::string previous = "*" + std::string(1, static_cast<char>(level - 1));
            bomb += std::string(1, level) + ": &" + level + " [" + repeated(previous + ",", 8) + previous + "]\n";
        }
        CHECK(outcome(bomb) == "t.yaml:6:8: aliases in the document expand to more than 100000 values");
    }

    SUBCASE("binary garbage: random bytes, NULs, invalid UTF-8") {
        std::mt19937 random(0xc0ffee);
        for (size_t size : {1, 2, 7, 64, 1000, 100'000}) {
            for (int round = 0; round < 20; ++round) {
                std::string yaml = random_bytes(random, size);
                std::string result = outcome(yaml);
                CAPTURE(size);
                CHECK(result != "ok");
            }
        }
        CHECK(outcome(std::string(1000, '\0')) == "t.yaml:1:1: not YAML text: control character 0x00");
        CHECK(outcome("web:\n  image: nginx\0evil\n") == "ok");  // a C string: ends at the NUL
        CHECK(outcome(std::string("web:\n  image: nginx\0evil\n", 25)) ==
              "t.yaml:2:15: not YAML text: control character 0x00");
        CHECK(outcome("web:\n  env: {A: \"\xc0\xaf\"}\n") == "t.yaml:2:13: not UTF-8 text: invalid byte 0xc0");
        CHECK(outcome("\xfe\xff\x00w\x00e\x00b") == "t.yaml:1:1: not UTF-8 text: invalid byte 0xfe");
        CHECK(outcome("web:\n  env: {A: \"\\0\"}\n") == "t.yaml:2:12: a value cannot contain a NUL character");
    }

    SUBCASE("random YAML-ish text: every outcome is a result or a clean error") {
        std::mt19937 random(20240611);
        const std::string alphabet = "ab01 :-[]{},#&*!|>'\"%@`?\n\n  \t$\\.~";
        for (int round = 0; round < 2'000; ++round) {
            std::string yaml = random_bytes(random, 1 + static_cast<size_t>(round % 97), alphabet);
            CAPTURE(yaml);
            outcome(yaml);  // returns or throws Error; outcome() fails the test otherwise
        }
        std::mt19937 again(7);
        const std::string base = "services:\n  web:\n    image: nginx\n    env: {A: \"x\"}\n    ports: [\"80:80\"]\n";
        for (int round = 0; round < 2'000; ++round) {
            std::string yaml = base;
            for (int edits = 0; edits < 3; ++edits) {
                size_t at = again() % yaml.size();
                yaml[at] = alphabet[again() % alphabet.size()];
            }
            CAPTURE(yaml);
            outcome(yaml);
        }
    }

    SUBCASE("a 1 MB scalar, as a value and as a name") {
        std::string big(1'000'000, 'x');
        calzion::render::Deployment deployment = render_yaml("web:\n  env: {BIG: " + big + "}\n");
        CHECK(deployment.services.front().env.at("BIG") == big);
        CHECK(outcome("web:\n  env: {BIG: \"" + big + "\"}\n") == "ok");
        // YAML allows 1024 characters in a key; messages quote at most 200 bytes of a value.
        CHECK(outcome(big + ":\n") == "t.yaml:1:1000001: invalid YAML: illegal map value");
        CHECK(outcome(std::string(1000, 'x') + ":\n") == "t.yaml:1:1: invalid service name \"" +
                                                           std::string(200, 'x') + "...\": a name is at most 63 characters");
        CHECK(outcome("web: {restart: " + big + "}\n") ==
              "t.yaml:1:16: \"restart\" in service \"web\" must be \"no\", \"always\", \"unless-stopped\" or "
              "\"on-failure[:N]\", not \"" + std::string(200, 'x') + "...\"");
        // The source line is too long to be worth showing.
        try {
            calzion::render::validate(calzion::testing::source_of("web:\n  imgae: " + big + "\n"));
            FAIL("no error");
        } catch (const Error& error) {
            REQUIRE(error.diagnostics().size() == 1);
            CHECK(error.diagnostics()[0].source_line.empty());
        }
    }

    SUBCASE("a huge number of ${ in one value") {
        std::string many = repeated("${", 100'000);
        CHECK(outcome("web:\n  env: {A: \"" + many + "\"}\n") ==
              "t.yaml:2:13: invalid variable reference \"${${${${${${${${${${${${${${${${${${${${${${${${${${${${${${${${...\"");
        CHECK(joined(render_problems("web:\n  env: {A: \"" + repeated("${A:-", 100'000) + "\"}\n")) ==
              "t.yaml:2:173: variable references nested too deeply");
        CHECK(outcome("web:\n  env: {A: \"" + repeated("$$", 500'000) + "\"}\n") == "ok");
        const std::string defaults = "web:\n  env: {A: \"" + repeated("${X:-y}", 100'000) + "\"}\n";
        CHECK(outcome(defaults) == "ok");
        CHECK(render_yaml(defaults).services[0].env.at("A") == std::string(100'000, 'y'));
    }

    SUBCASE("a huge flow collection, and a million values") {
        CHECK(outcome("web:\n  cmd: [" + repeated("x,", 200'000) + "x]\n") ==
              "t.yaml:2:8: a [...] or {...} collection holds more than 100000 values");
        CHECK(outcome("web:\n  cmd:\n" + repeated("    - x\n", 600'000)) ==
              "t.yaml:499998:7: the document has more than 500000 values");
    }
}
