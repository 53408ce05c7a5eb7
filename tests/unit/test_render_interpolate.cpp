#include "render/interpolate.hpp"

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

using calzion::render::check_syntax;
using calzion::render::InterpolationError;
using calzion::render::Interpolated;
using calzion::render::interpolate;
using calzion::render::Lookup;
using calzion::render::referenced_names;
using calzion::render::Variables;

namespace {

// The variables most cases run against. DOLLAR checks that values are not re-expanded.
Lookup fixed_lookup() {
    static const std::map<std::string, std::string, std::less<>> values = {
        {"A", "alpha"}, {"B", "beta"}, {"EMPTY", ""}, {"DOLLAR", "$B ${B}"},
        {"instance", "myapp-staging"}, {"service", "web"}, {"revision", "7"},
    };
    return [](std::string_view name) -> std::optional<std::string> {
        const auto it = values.find(name);
        if (it == values.end()) {
            return std::nullopt;
        }
        return it->second;
    };
}

std::string describe(const InterpolationError& error) {
    return std::to_string(error.offset) + ": " + error.message;
}

// The expansion of text, or "error <offset>: <message>".
std::string expand(std::string_view text, const Lookup& lookup = fixed_lookup()) {
    const Interpolated result = interpolate(text, lookup);
    return result.error ? "error " + describe(*result.error) : result.value;
}

// "<offset>: <message>" of the problem interpolate() reports, or "no error".
std::string problem(std::string_view text) {
    const Interpolated result = interpolate(text, fixed_lookup());
    return result.error ? describe(*result.error) : "no error";
}

// "<offset>: <message>" of the problem check_syntax() reports, or "no error".
std::string syntax_problem(std::string_view text) {
    const std::optional<InterpolationError> error = check_syntax(text);
    return error ? describe(*error) : "no error";
}

// text nested `levels` deep: ${U:-${U:-...x...}} with U unset.
std::string nested(int levels) {
    std::string out;
    for (int i = 0; i < levels; ++i) {
        out += "${U:-";
    }
    out += "x";
    out += std::string(static_cast<size_t>(levels), '}');
    return out;
}

}  // namespace

TEST_CASE("render::interpolate") {
    SUBCASE("text without references is unchanged") {
        CHECK(expand("") == "");
        CHECK(expand("plain text: {braces} } { and 100% more") == "plain text: {braces} } { and 100% more");
        CHECK(expand(std::string("nul\0byte", 8)) == std::string("nul\0byte", 8));
    }
    SUBCASE("$VAR takes the longest name") {
        CHECK(expand("$A") == "alpha");
        CHECK(expand("x$A.y") == "xalpha.y");
        CHECK(expand("$A-$B") == "alpha-beta");
        CHECK(expand("$A$B") == "alphabeta");
        CHECK(expand("$A{B}") == "alpha{B}");
        CHECK(expand("$AB") == "error 0: variable \"AB\" is not set");
        CHECK(expand("$instance-$service") == "myapp-staging-web");
    }
    SUBCASE("${VAR}") {
        CHECK(expand("${A}") == "alpha");
        CHECK(expand("${A}B") == "alphaB");
        CHECK(expand("[${EMPTY}]") == "[]");
        CHECK(expand("${instance}-${service}:${revision}") == "myapp-staging-web:7");
    }
    SUBCASE("values are inserted verbatim, never expanded again") {
        CHECK(expand("${DOLLAR}") == "$B ${B}");
        CHECK(expand("$DOLLAR") == "$B ${B}");
    }
    SUBCASE("$$ is a literal $") {
        CHECK(expand("$$") == "$");
        CHECK(expand("$$A") == "$A");
        CHECK(expand("$${A}") == "${A}");
        CHECK(expand("$$$$") == "$$");
        CHECK(expand("$$$A") == "$alpha");
        CHECK(expand("price: 5$$") == "price: 5$");
    }
    SUBCASE("${VAR:-default} uses the default when unset or empty") {
        CHECK(expand("${A:-d}") == "alpha");
        CHECK(expand("${EMPTY:-d}") == "d");
        CHECK(expand("${UNSET:-d}") == "d");
        CHECK(expand("${UNSET:-}") == "");
        CHECK(expand("${UNSET:-a:-b-c?d+e {x}") == "a:-b-c?d+e {x");
    }
    SUBCASE("${VAR-default} uses the default only when unset") {
        CHECK(expand("${A-d}") == "alpha");
        CHECK(expand("[${EMPTY-d}]") == "[]");
        CHECK(expand("${UNSET-d}") == "d");
        CHECK(expand("${UNSET-}") == "");
    }
    SUBCASE("${VAR:+alt} and ${VAR+alt}") {
        CHECK(expand("${A:+alt}") == "alt");
        CHECK(expand("[${EMPTY:+alt}]") == "[]");
        CHECK(expand("[${UNSET:+alt}]") == "[]");
        CHECK(expand("${A+alt}") == "alt");
        CHECK(expand("${EMPTY+alt}") == "alt");
        CHECK(expand("[${UNSET+alt}]") == "[]");
    }
    SUBCASE("${VAR:?message} and ${VAR?message} pass set values through") {
        CHECK(expand("${A:?needed}") == "alpha");
        CHECK(expand("${A?needed}") == "alpha");
        CHECK(expand("[${EMPTY?needed}]") == "[]");
    }
    SUBCASE("a '}' closes the innermost open ${") {
        CHECK(expand("${UNSET:-{x}}") == "{x}");
        CHECK(expand("${UNSET:-a}}") == "a}");
        CHECK(expand("${UNSET:-$${B}}") == "${B}");
    }
    SUBCASE("nested references in defaults and alternatives") {
        CHECK(expand("${UNSET:-${B}}") == "beta");
        CHECK(expand("${UNSET:-$B}") == "beta");
        CHECK(expand("${UNSET:-${UNSET2:-x}}") == "x");
        CHECK(expand("${UNSET:-${EMPTY-x}}") == "");
        CHECK(expand("${UNSET:-pre-${A}-${B:+yes}-post}") == "pre-alpha-yes-post");
        CHECK(expand("${A:+[${B}]}") == "[beta]");
        CHECK(expand("${UNSET:-${UNSET2:-${UNSET3:-deep ${A}}}}!") == "deep alpha!");
        CHECK(expand(nested(calzion::render::k_max_nesting)) == "x");
    }
    SUBCASE("unused words are not expanded") {
        CHECK(expand("${A:-${MISSING}}") == "alpha");
        CHECK(expand("${A-$MISSING}") == "alpha");
        CHECK(expand("[${UNSET:+${MISSING}}]") == "[]");
        CHECK(expand("${A:?${MISSING}}") == "alpha");
        CHECK(expand("${A:-${REQUIRED:?never asked}}") == "alpha");
    }
    SUBCASE("Variables: the strongest layer wins") {
        Variables variables;
        variables.add_layer("--set", {{"PORT", "9000"}});
        variables.add_layer("infrastructure", {{"PORT", "8000"}, {"DOMAIN", "example.com"}, {"BLANK", ""}});
        variables.add_layer("--vars-file", {{"USER", "file-user"}});
        variables.add_layer("environment", {{"USER", "env-user"}, {"HOME", "/home/u"}});
        variables.add_layer("template", {{"PORT", "80"}, {"BLANK", "not blank"}, {"TAG", "latest"}});

        CHECK(variables.lookup("PORT") == "9000");
        CHECK(variables.lookup("DOMAIN") == "example.com");
        CHECK(variables.lookup("USER") == "file-user");
        CHECK(variables.lookup("HOME") == "/home/u");
        CHECK(variables.lookup("TAG") == "latest");
        CHECK(variables.lookup("BLANK") == "");
        CHECK(variables.lookup("NOPE") == std::nullopt);

        CHECK(variables.source_of("PORT") == "--set");
        CHECK(variables.source_of("DOMAIN") == "infrastructure");
        CHECK(variables.source_of("USER") == "--vars-file");
        CHECK(variables.source_of("HOME") == "environment");
        CHECK(variables.source_of("TAG") == "template");
        CHECK(variables.source_of("BLANK") == "infrastructure");
        CHECK(variables.source_of("NOPE") == std::nullopt);

        const Lookup lookup = variables.as_lookup();
        CHECK(expand("$USER@${DOMAIN}:${PORT}/${TAG}", lookup) == "file-user@example.com:9000/latest");
        // An empty value in a stronger layer hides the weaker ones; ":-" then applies.
        CHECK(expand("${BLANK:-fallback}|${BLANK-fallback}", lookup) == "fallback|");
        CHECK(expand("$NOPE", lookup) == "error 0: variable \"NOPE\" is not set");
    }
    SUBCASE("Variables: no layers") {
        const Variables variables;
        CHECK(variables.lookup("A") == std::nullopt);
        CHECK(variables.source_of("A") == std::nullopt);
    }
    SUBCASE("an empty lookup means nothing is set") {
        CHECK(expand("${A:-d} $$", Lookup{}) == "d $");
        CHECK(expand("x ${A}", Lookup{}) == "error 2: variable \"A\" is not set");
    }
    SUBCASE("error: variable not set") {
        CHECK(problem("${UNSET}") == R"(0: variable "UNSET" is not set)");
        CHECK(problem("abc $UNSET def") == R"(4: variable "UNSET" is not set)");
        CHECK(problem("${A} ${UNSET}") == R"(5: variable "UNSET" is not set)");
        CHECK(problem("pre ${UNSET:-${MISSING}}") == R"(13: variable "MISSING" is not set)");
        CHECK(problem("${UNSET:-x $MISSING}") == R"(11: variable "MISSING" is not set)");
        CHECK(problem("${A:+$MISSING}") == R"(5: variable "MISSING" is not set)");
    }
    SUBCASE("error: required variable") {
        CHECK(problem("${UNSET:?set UNSET to the domain}") ==
              R"(0: variable "UNSET" is required: set UNSET to the domain)");
        CHECK(problem("x ${EMPTY:?must not be empty}") == R"(2: variable "EMPTY" is required: must not be empty)");
        CHECK(problem("${UNSET?needed}") == R"(0: variable "UNSET" is required: needed)");
        CHECK(problem("${UNSET:?}") == R"(0: variable "UNSET" is required)");
        CHECK(problem("${UNSET?}") == R"(0: variable "UNSET" is required)");
        CHECK(problem("${UNSET?${EMPTY}}") == R"(0: variable "UNSET" is required)");
        CHECK(problem("${UNSET:?ask $A about ${B}}") == R"(0: variable "UNSET" is required: ask alpha about beta)");
        CHECK(problem("${UNSET:?ask ${MISSING}}") == R"(13: variable "MISSING" is not set)");
        CHECK(problem("${UNSET:-${INNER:?inner needed}}") == R"(9: variable "INNER" is required: inner needed)");
    }
    SUBCASE("error: unterminated ${") {
        CHECK(problem("${") == R"(0: unterminated "${")");
        CHECK(problem("ab ${A") == R"(3: unterminated "${")");
        CHECK(problem("${A:") == R"(0: unterminated "${")");
        CHECK(problem("${A:-") == R"(0: unterminated "${")");
        CHECK(problem("${A:-default") == R"(0: unterminated "${")");
        CHECK(problem("${UNSET:-${B}") == R"(0: unterminated "${")");
        CHECK(problem("${UNSET:-${B:-x") == R"(9: unterminated "${")");
        // Syntax is checked in unused words too.
        CHECK(problem("${A:-${B") == R"(5: unterminated "${")");
    }
    SUBCASE("error: invalid variable reference") {
        CHECK(problem("${}") == R"(0: invalid variable reference "${}")");
        CHECK(problem("x ${1abc}") == R"(2: invalid variable reference "${1abc}")");
        CHECK(problem("${A B}") == R"(0: invalid variable reference "${A B}")");
        CHECK(problem("${A.b}") == R"(0: invalid variable reference "${A.b}")");
        CHECK(problem("${A-b.c}.${my.var}") == R"(9: invalid variable reference "${my.var}")");
        CHECK(expand("${my-var}") == "var");
        CHECK(problem("${A:x}") == R"(0: invalid variable reference "${A:x}")");
        CHECK(problem("${A:=x}") == R"(0: invalid variable reference "${A:=x}")");
        CHECK(problem("${A!}") == R"(0: invalid variable reference "${A!}")");
        CHECK(problem("${:-x}") == R"(0: invalid variable reference "${:-x}")");
        CHECK(problem("${ A}") == R"(0: invalid variable reference "${ A}")");
        CHECK(problem("${A B") == R"(0: invalid variable reference "${A B")");
        CHECK(problem("${A B ${C} D} tail}") == R"(0: invalid variable reference "${A B ${C} D}")");
        CHECK(problem("${A B $${C} D} tail}") == R"(0: invalid variable reference "${A B $${C}")");
        CHECK(problem("${A:-${}}") == R"(5: invalid variable reference "${}")");
        CHECK(problem("${UNSET:-ok ${x y}}") == R"(12: invalid variable reference "${x y}")");
    }
    SUBCASE("error: invalid reference quotes at most 64 bytes") {
        const std::string long_text = "${A " + std::string(100, 'x') + "}";
        CHECK(problem(long_text) == "0: invalid variable reference \"${A " + std::string(60, 'x') + "...\"");
        // A multi-byte UTF-8 character straddling the cut is left out whole.
        const std::string utf8 = "${A " + std::string(59, 'x') + "\xC3\xA9\xC3\xA9}";
        CHECK(problem(utf8) == "0: invalid variable reference \"${A " + std::string(59, 'x') + "...\"");
        const std::string exact = "${A " + std::string(59, 'x') + "}";
        CHECK(problem(exact) == "0: invalid variable reference \"" + exact + "\"");
    }
    SUBCASE("error: lone $") {
        const std::string message = R"(lone "$": write "$$" for a literal "$")";
        CHECK(problem("$") == "0: " + message);
        CHECK(problem("cost: 5$") == "7: " + message);
        CHECK(problem("$ ") == "0: " + message);
        CHECK(problem("$1") == "0: " + message);
        CHECK(problem("$-A") == "0: " + message);
        CHECK(problem("$}") == "0: " + message);
        CHECK(problem("$$$") == "2: " + message);
        CHECK(problem("${UNSET:-$}") == "9: " + message);
        CHECK(problem("${A:-$}") == "5: " + message);
    }
    SUBCASE("the first problem in text order is reported") {
        CHECK(problem("$MISSING ${") == R"(0: variable "MISSING" is not set)");
        CHECK(problem("${ $MISSING") == R"(0: invalid variable reference "${ $MISSING")");
        CHECK(problem("${A} $ ${B") == R"(5: lone "$": write "$$" for a literal "$")");
    }
    SUBCASE("error: nesting too deep") {
        const int limit = calzion::render::k_max_nesting;
        CHECK(problem(nested(limit + 1)) == std::to_string(5 * limit) + ": variable references nested too deeply");
        CHECK(syntax_problem(nested(limit + 1)) ==
              std::to_string(5 * limit) + ": variable references nested too deeply");
        CHECK(syntax_problem(nested(limit)) == "no error");
    }
    SUBCASE("hostile input") {
        const size_t megabyte = 1 << 20;
        CHECK(problem(std::string(megabyte + 1, '$')) ==
              std::to_string(megabyte) + R"(: lone "$": write "$$" for a literal "$")");
        CHECK(expand(std::string(megabyte, '$')) == std::string(megabyte / 2, '$'));
        CHECK(problem(std::string(megabyte, '{')) == "no error");
        CHECK(problem(std::string(megabyte, '}')) == "no error");

        std::string opens;
        while (opens.size() < megabyte) {
            opens += "${";
        }
        // "${" must be followed by a name, so this is not nesting.
        std::string quoted_opens;
        for (int i = 0; i < 32; ++i) {
            quoted_opens += "${";
        }
        CHECK(problem(opens) == "0: invalid variable reference \"" + quoted_opens + "...\"");

        std::string defaults;
        while (defaults.size() < megabyte) {
            defaults += "${UNSET:-";
        }
        CHECK(problem(defaults) == "288: variable references nested too deeply");

        std::string many;
        std::string expected;
        while (many.size() < megabyte) {
            many += "${A}$B${UNSET:-c}$$";
            expected += "alphabetac$";
        }
        CHECK(expand(many) == expected);

        const std::string long_name(megabyte, 'N');
        CHECK(problem("$" + long_name) == "0: variable \"" + long_name + "\" is not set");
        CHECK(problem("${" + long_name) == R"(0: unterminated "${")");
        const std::string long_word = "${A " + std::string(megabyte, 'w') + "}";
        CHECK(problem(long_word) == "0: invalid variable reference \"${A " + std::string(60, 'w') + "...\"");
    }
    SUBCASE("check_syntax reports only syntax problems") {
        CHECK(syntax_problem("") == "no error");
        CHECK(syntax_problem("$UNSET ${UNSET} ${UNSET:?needed} $$ ${A:-${B:-x}}") == "no error");
        CHECK(syntax_problem("ok ${A:-${}}") == R"(8: invalid variable reference "${}")");
        CHECK(syntax_problem("a ${B") == R"(2: unterminated "${")");
        CHECK(syntax_problem("${X:+$}") == R"(5: lone "$": write "$$" for a literal "$")");
        CHECK(syntax_problem("${X?msg $ }") == R"(8: lone "$": write "$$" for a literal "$")");
    }
    SUBCASE("referenced_names lists names in order, once each") {
        using names = std::vector<std::string>;
        CHECK(referenced_names("") == names{});
        CHECK(referenced_names("$$A $${B}") == names{});
        CHECK(referenced_names("$B ${A} ${B:-${C:-$D}} ${A:?$E} ${F+x}") == names{"B", "A", "C", "D", "E", "F"});
        CHECK(referenced_names("${instance}-${service}") == names{"instance", "service"});
        // Names before a syntax error are still reported.
        CHECK(referenced_names("$A ${B} ${ C} $D") == names{"A", "B"});
    }
}
