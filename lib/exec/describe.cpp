#include "exec/describe.hpp"

#include "util/shell.hpp"

namespace calzion::exec {

namespace {

constexpr size_t k_max_described = 60;

}  // namespace

std::string describe(const std::vector<std::string>& argv) {
    std::string text = util::shell_join(argv);
    if (text.size() > k_max_described) {
        text = text.substr(0, k_max_described) + "...";
    }
    return text;
}

std::string seconds_text(std::chrono::milliseconds duration) {
    long long ms = duration.count();
    std::string text = std::to_string(ms / 1000);
    if (ms % 1000 != 0) {
        std::string fraction = std::to_string(1000 + ms % 1000).substr(1);
        fraction.erase(fraction.find_last_not_of('0') + 1);
        text += "." + fraction;
    }
    return text;
}

}  // namespace calzion::exec
