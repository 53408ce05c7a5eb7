#pragma once

#include <map>
#include <string>
#include <vector>

#include "render/interpolate.hpp"

namespace calzion::render {

// Where variables come from, besides the template's own `vars`.
struct VariableSources {
    std::vector<std::string> set;          // --set NAME=value, in order given
    std::map<std::string, std::string> instance_vars;  // the infrastructure file's
    std::vector<std::string> vars_files;   // --vars-file, later files winning
    std::map<std::string, std::string> environment;
};

// Layer the sources, strongest first: --set (a later one winning over an earlier
// one), the instance's vars in the infrastructure file, --vars-file (a later file
// winning), the environment. Reads the vars files. Throws Error(usage) for a --set
// that is not NAME=value with NAME a variable name and for a vars file that cannot
// be read, Error(invalid_data) for a vars file that is not dotenv.
Variables gather_variables(const VariableSources& sources);

}  // namespace calzion::render
