#include "exec/runner.hpp"

#include "util/error.hpp"

namespace calzion::exec {

Result Runner::attach(const Command&, const Attach&) {
    throw Error(ErrorKind::operation_failed, "cannot run an interactive program on " + host());
}

}  // namespace calzion::exec
