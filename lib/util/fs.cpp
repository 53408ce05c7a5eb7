#include "util/fs.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <unistd.h>

#include "util/error.hpp"
#include "util/strings.hpp"

namespace calzion::util {

std::string read_file(const std::string& path, size_t max_bytes) {
    std::error_code code;
    if (std::filesystem::is_directory(path, code)) {
        throw Error(ErrorKind::usage, "cannot read " + util::quoted(path) + ": it is a directory");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw Error(ErrorKind::usage, "cannot read " + util::quoted(path) + ": " + std::strerror(errno));
    }
    std::string content;
    char buffer[65536];
    while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
        content.append(buffer, static_cast<size_t>(in.gcount()));
        if (content.size() > max_bytes) {
            throw Error(ErrorKind::usage, "cannot read " + util::quoted(path) + ": larger than " +
                                              std::to_string(max_bytes / (1024 * 1024)) + " MiB");
        }
    }
    return content;
}

void write_file_atomic(const std::string& path, const std::string& content) {
    std::string temporary = path + ".tmp." + std::to_string(::getpid());
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        out << content;
        out.flush();
        if (!out) {
            std::filesystem::remove(temporary);
            throw Error(ErrorKind::operation_failed, "cannot write " + util::quoted(path) + ": " + std::strerror(errno));
        }
    }
    std::error_code code;
    std::filesystem::rename(temporary, path, code);
    if (code) {
        std::filesystem::remove(temporary);
        throw Error(ErrorKind::operation_failed, "cannot write " + util::quoted(path) + ": " + code.message());
    }
}

}  // namespace calzion::util
