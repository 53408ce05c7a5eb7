#include "report/error_field.hpp"

namespace calzion::report {

nlohmann::ordered_json error_field(const std::optional<Error>& error) {
    if (!error) {
        return nullptr;
    }
    return {{"message", error->message()}, {"exit_code", exit_code_for(error->kind())}};
}

}  // namespace calzion::report
