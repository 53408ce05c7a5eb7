#include "exec/run_checked.hpp"

#include "util/error.hpp"
#include "util/strings.hpp"

namespace calzion::exec {

Result run_checked(Runner& runner, const std::vector<std::string>& argv, const std::string& what,
                   const std::string& input) {
    Result result = runner.run(command(argv, input));
    if (!result.ok()) {
        throw Error(ErrorKind::operation_failed, what + " failed: " + util::one_line(result.err));
    }
    return result;
}

}  // namespace calzion::exec
