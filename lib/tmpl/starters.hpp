#pragma once

#include <string>
#include <vector>

namespace calzion::tmpl {

// A starter template as compiled into the binary from templates/.
struct EmbeddedStarter {
    std::string name;
    std::string text;
};

// Every starter, in file-name order (generated at build time).
const std::vector<EmbeddedStarter>& embedded_starters();

// The starter called `name`, or nullptr.
const EmbeddedStarter* find_starter(const std::string& name);

// A starter's one-line description: its first comment line, without "# ".
std::string starter_description(const EmbeddedStarter& starter);

}  // namespace calzion::tmpl
