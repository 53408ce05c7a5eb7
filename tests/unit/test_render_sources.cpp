#include "render/sources.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <unistd.h>

#include "util/error.hpp"

using calzion::Error;
using calzion::ErrorKind;
using calzion::render::gather_variables;
using calzion::render::Variables;
using calzion::render::VariableSources;

namespace {

// A directory of its own for the files of one test, removed afterwards.
class TempDir {
public:
    TempDir() {
        m_path = std::filesystem::temp_directory_path() / ("calzion-sources-" + std::to_string(::getpid()));
        std::filesystem::create_directories(m_path);
    }
    ~TempDir() { std::filesystem::remove_all(m_path); }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    std::string write(const std::string& name, const std::string& content) const {
        std::string path = (m_path / name).string();
        std::ofstream(path, std::ios::binary) << content;
        return path;
    }
    std::string path(const std::string& name) const { return (m_path / name).string(); }

private:
    std::filesystem::path m_path;
};

// "<kind> <message>" of the error gather_variables throws, or "no error".
std::string problem(const VariableSources& sources) {
    try {
        gather_variables(sources);
    } catch (const Error& error) {
        return std::string(error.kind() == ErrorKind::usage ? "usage " : "invalid_data ") + error.what();
    }
    return "no error";
}

std::string value(const Variables& variables, const std::string& name) {
    return variables.lookup(name).value_or("<unset>") + " from " + variables.source_of(name).value_or("nowhere");
}

}  // namespace

TEST_CASE("render::sources") {
    TempDir dir;

    SUBCASE("layers, strongest first: --set, infrastructure, --vars-file, environment") {
        VariableSources sources;
        sources.set = {"A=set", "EMPTY="};
        sources.instance_vars = {{"A", "infra"}, {"B", "infra"}};
        sources.vars_files = {dir.write("vars.env", "A=file\nB=file\nC=file\nEMPTY=file\n")};
        sources.environment = {{"A", "env"}, {"B", "env"}, {"C", "env"}, {"D", "env"}};
        Variables variables = gather_variables(sources);
        CHECK(value(variables, "A") == "set from --set");
        CHECK(value(variables, "B") == "infra from the infrastructure file");
        CHECK(value(variables, "C") == "file from --vars-file");
        CHECK(value(variables, "D") == "env from the environment");
        // Set to nothing is set: it hides every weaker layer.
        CHECK(value(variables, "EMPTY") == " from --set");
        CHECK(value(variables, "E") == "<unset> from nowhere");
    }

    SUBCASE("a later --set and a later vars file win") {
        VariableSources sources;
        sources.set = {"A=first", "A=second", "URL=http://x/?a=b=c"};
        sources.vars_files = {dir.write("one.env", "F=one\nG=one\n"), dir.write("two.env", "F=two\n")};
        Variables variables = gather_variables(sources);
        CHECK(value(variables, "A") == "second from --set");
        CHECK(value(variables, "URL") == "http://x/?a=b=c from --set");
        CHECK(value(variables, "F") == "two from --vars-file");
        CHECK(value(variables, "G") == "one from --vars-file");
    }

    SUBCASE("nothing given, nothing set") {
        Variables variables = gather_variables(VariableSources{});
        CHECK_FALSE(variables.lookup("HOME").has_value());
    }

    SUBCASE("--set errors are usage errors") {
        VariableSources sources;
        sources.set = {"NOEQUALS"};
        CHECK(problem(sources) == R"(usage --set takes NAME=value, not "NOEQUALS")");
        sources.set = {"=value"};
        CHECK(problem(sources) ==
              R"(usage --set takes NAME=value, where NAME has letters, digits and "_" and does not start with a digit, not "=value")");
        sources.set = {"MY VAR=1"};
        CHECK(problem(sources) ==
              R"(usage --set takes NAME=value, where NAME has letters, digits and "_" and does not start with a digit, not "MY VAR=1")");
        sources.set = {"1X=1"};
        CHECK(problem(sources) ==
              R"(usage --set takes NAME=value, where NAME has letters, digits and "_" and does not start with a digit, not "1X=1")");
        sources.set = {"A-B=1"};
        CHECK(problem(sources) ==
              R"(usage --set takes NAME=value, where NAME has letters, digits and "_" and does not start with a digit, not "A-B=1")");
        sources.set = {"OK=1", "ALSO_OK_2="};
        CHECK(problem(sources) == "no error");
    }

    SUBCASE("vars file errors") {
        VariableSources sources;
        sources.vars_files = {dir.path("missing.env")};
        CHECK(problem(sources) == "usage cannot read \"" + dir.path("missing.env") + "\": No such file or directory");
        sources.vars_files = {dir.write("bad.env", "A=1\nnot a line\n")};
        CHECK(problem(sources) == "invalid_data " + dir.path("bad.env") + ":2: expected NAME=value");
        sources.vars_files = {dir.path("")};
        CHECK(problem(sources) == "usage cannot read \"" + dir.path("") + "\": it is a directory");
    }
}
