#include "infra/checks.hpp"

#include <algorithm>

#include "util/strings.hpp"

namespace calzion::infra {

void check_services(const Infrastructure& infrastructure, const std::string& instance,
                    const std::vector<std::string>& services) {
    Diagnostics diagnostics(infrastructure.text);
    std::vector<const Instance*> entries;
    if (instance.empty()) {
        for (const auto& entry : infrastructure.instances) {
            entries.push_back(&entry);
        }
    } else if (const Instance* entry = infrastructure.instance(instance)) {
        entries.push_back(entry);  // a preview instance too
    }
    for (const Instance* entry : entries) {
        for (const auto& [service, where] : entry->service_where) {
            if (std::find(services.begin(), services.end(), service) != services.end()) {
                continue;
            }
            std::string guess = util::did_you_mean(service, services);
            diagnostics.add(where, "instance " + util::quoted(entry->name) + " names service " + util::quoted(service) +
                                       ", which the template does not have" +
                                       (guess.empty() ? "" : ", did you mean " + util::quoted(guess) + "?"));
        }
    }
    diagnostics.throw_if_any();
}

}  // namespace calzion::infra
