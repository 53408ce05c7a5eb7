#include "tmpl/starters.hpp"

namespace calzion::tmpl {

const EmbeddedStarter* find_starter(const std::string& name) {
    for (const auto& starter : embedded_starters()) {
        if (starter.name == name) {
            return &starter;
        }
    }
    return nullptr;
}

std::string starter_description(const EmbeddedStarter& starter) {
    const std::string& text = starter.text;
    if (text.rfind("# ", 0) != 0) {
        return {};
    }
    return text.substr(2, text.find('\n') - 2);
}

}  // namespace calzion::tmpl
