#include "exec/runner.hpp"

#include "util/error.hpp"

namespace calzion::exec {

bool Process::write(std::string_view) {
    throw Error(ErrorKind::operation_failed, "cannot stream more input to this program");
}

Result Runner::attach(const Command&, const Attach&) {
    throw Error(ErrorKind::operation_failed, "cannot run an interactive program on " + host());
}

}  // namespace calzion::exec
