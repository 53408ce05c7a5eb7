#pragma once

// Helpers for the tests of the template core: parse, validate and render YAML
// written inline in a test, and read problems back as the lines a user would see.

#include <map>
#include <string>
#include <vector>

#include "render/deployment.hpp"
#include "render/render.hpp"
#include "tmpl/spec.hpp"
#include "util/error.hpp"

namespace calzion::testing {

// The file name every helper gives the YAML text, as it appears in messages.
inline const std::string k_file = "t.yaml";

// "t.yaml:3:5: message" for each diagnostic of `error` (or its one message), in order.
std::vector<std::string> messages_of(const Error& error);

// A template read from YAML text, and the problems found doing it.
struct Parsed {
    tmpl::Template spec;
    std::vector<std::string> problems;  // as messages_of() writes them
};

// Load the YAML, read the template (strictly: no `$` is deferred) and check the
// relations between its services, collecting every problem.
Parsed parse(const std::string& yaml, bool lenient = false);

// The problems `calzion validate` finds in the YAML; empty when it is valid.
std::vector<std::string> validate_problems(const std::string& yaml);

// A Source made from YAML text; throws Error on a YAML syntax error.
render::Source source_of(const std::string& yaml);

// Render the YAML for `instance` with variables given in the --set layer.
render::Deployment render_yaml(const std::string& yaml, const std::string& instance = "app-staging",
                               const std::map<std::string, std::string>& set = {});

// The problems render() finds; empty when it renders.
std::vector<std::string> render_problems(const std::string& yaml, const std::string& instance = "app-staging",
                                         const std::map<std::string, std::string>& set = {});

// The lines joined with "\n", for readable failures of whole-list comparisons.
std::string joined(const std::vector<std::string>& lines);

}  // namespace calzion::testing
