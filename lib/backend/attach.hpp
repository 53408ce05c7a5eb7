#pragma once

#include <string>

namespace calzion::backend {

// What `calzion logs` asks of a backend.
struct LogsOptions {
    bool follow = false;
    std::string tail;   // lines from the end: a number or "all"; empty: all
    std::string since;  // a timestamp or a duration like "10m"; empty: from the start
    bool timestamps = false;
};

// What `calzion exec` asks of a backend.
struct ExecOptions {
    bool interactive = false;  // -i: the program reads calzion's stdin
    bool tty = false;          // -t: the program runs on a terminal
    std::string term;          // with `tty`: TERM for the program, if known
    std::string user;          // -u
    std::string workdir;       // -w
};

}  // namespace calzion::backend
