#include "output/error_field.hpp"

namespace calzion::output {

std::string kind_name(ErrorKind kind) {
    switch (kind) {
    case ErrorKind::operation_failed: return "operation_failed";
    case ErrorKind::usage: return "usage";
    case ErrorKind::invalid_data: return "invalid_data";
    case ErrorKind::unreachable: return "unreachable";
    case ErrorKind::lock_held: return "lock_held";
    case ErrorKind::permission: return "permission";
    case ErrorKind::interrupted: return "interrupted";
    }
    return "operation_failed";
}

nlohmann::ordered_json error_field(const std::optional<Error>& error) {
    if (!error) {
        return nullptr;
    }
    return {{"kind", kind_name(error->kind())},
            {"message", error->message()},
            {"exit_code", exit_code_for(error->kind())}};
}

}  // namespace calzion::output
