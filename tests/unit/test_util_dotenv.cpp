#include "util/dotenv.hpp"

#include <doctest/doctest.h>

#include <map>
#include <string>

#include "util/error.hpp"

using calzion::Error;
using calzion::ErrorKind;
using calzion::util::parse_dotenv;

namespace {

using Values = std::map<std::string, std::string>;

// "file:line: message" of the error parse_dotenv throws, or "no error".
std::string problem(const std::string& text) {
    try {
        parse_dotenv("vars.env", text);
    } catch (const Error& error) {
        CHECK(error.kind() == ErrorKind::invalid_data);
        REQUIRE(error.where().has_value());
        CHECK(error.where()->column == 0);
        return error.where()->to_string() + ": " + error.message();
    }
    return "no error";
}

}  // namespace

TEST_CASE("util::dotenv") {
    SUBCASE("bare values are trimmed and end at a comment") {
        CHECK(parse_dotenv("f", "A=1\nB = two words  \nC=a#b\nD=x # comment\nE=\nF=  \n") ==
              Values{{"A", "1"}, {"B", "two words"}, {"C", "a#b"}, {"D", "x"}, {"E", ""}, {"F", ""}});
    }

    SUBCASE("single quotes are literal") {
        CHECK(parse_dotenv("f", R"(A='x y' 
B='$HOME ${X} \n "q"'
C=''
D='v' # comment)") == Values{{"A", "x y"}, {"B", R"($HOME ${X} \n "q")"}, {"C", ""}, {"D", "v"}});
    }

    SUBCASE("double quotes know \\n \\t \\r \\\" \\\\ and take any other escaped character as it is") {
        CHECK(parse_dotenv("f", R"(A="a\nb\tc\rd"
B="say \"hi\" \\ \$X \q"
C="it's #not a comment"
D="")") == Values{{"A", "a\nb\tc\rd"}, {"B", R"(say "hi" \ $X q)"}, {"C", "it's #not a comment"}, {"D", ""}});
    }

    SUBCASE("nothing is interpolated") {
        CHECK(parse_dotenv("f", "A=1\nB=${A}\nC=$A\n") == Values{{"A", "1"}, {"B", "${A}"}, {"C", "$A"}});
    }

    SUBCASE("export, comments, blank lines, CRLF and a byte order mark") {
        CHECK(parse_dotenv("f", "\xef\xbb\xbf# settings\r\n\r\nexport A=1\r\n  export   B=\"2\"  \r\n   # indented comment\n") ==
              Values{{"A", "1"}, {"B", "2"}});
    }

    SUBCASE("names may have dots and dashes; a later line wins") {
        CHECK(parse_dotenv("f", "a.b-c_D9=1\nX=first\nX=second\n") == Values{{"a.b-c_D9", "1"}, {"X", "second"}});
    }

    SUBCASE("an empty file has no values") {
        CHECK(parse_dotenv("f", "").empty());
        CHECK(parse_dotenv("f", "\n\n# only comments\n").empty());
    }

    SUBCASE("errors name file and line, and never show the value") {
        CHECK(problem("A=1\n\njust a line\n") == "vars.env:3: expected NAME=value");
        CHECK(problem("hunter2") == "vars.env:1: expected NAME=value");
        CHECK(problem("export") == "vars.env:1: expected NAME=value");
        CHECK(problem("=secret") ==
              R"(vars.env:1: invalid variable name "": names have letters, digits, "_", "." and "-", and do not start with a digit)");
        CHECK(problem("1A=secret") ==
              R"(vars.env:1: invalid variable name "1A": names have letters, digits, "_", "." and "-", and do not start with a digit)");
        CHECK(problem("MY VAR=secret") ==
              R"(vars.env:1: invalid variable name "MY VAR": names have letters, digits, "_", "." and "-", and do not start with a digit)");
        CHECK(problem("PASSWORD=\"hunter2") == R"(vars.env:1: the value of "PASSWORD" has no closing quote)");
        CHECK(problem("PASSWORD='hunter2") == R"(vars.env:1: the value of "PASSWORD" has no closing quote)");
        CHECK(problem("OK=1\nPASSWORD='hunter2' extra") ==
              R"(vars.env:2: the value of "PASSWORD" goes on after its closing quote)");
        CHECK(problem("PASSWORD=\"a\" \"b\"") == R"(vars.env:1: the value of "PASSWORD" goes on after its closing quote)");
        CHECK(problem("PASSWORD=\"ends in backslash\\\"") ==
              R"(vars.env:1: the value of "PASSWORD" has no closing quote)");
    }
}
