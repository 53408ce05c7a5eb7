#include "state_dir.hpp"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <unistd.h>

namespace calzion::test {

namespace fs = std::filesystem;

TempStateDir::TempStateDir(const std::string& name) {
    m_root = fs::temp_directory_path() / ("calzion-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(m_root);
    fs::create_directories(m_root / "bin");
    std::ofstream(m_root / "bin" / "docker") << "#!/bin/sh\nexit 0\n";
    fs::permissions(m_root / "bin" / "docker", fs::perms::owner_all);
    const char* old_path = std::getenv("PATH");
    m_old_path = old_path ? old_path : "/usr/bin:/bin";
    std::string path = (m_root / "bin").string() + ":" + m_old_path;
    ::setenv("PATH", path.c_str(), 1);
}

TempStateDir::~TempStateDir() {
    ::setenv("PATH", m_old_path.c_str(), 1);
    fs::remove_all(m_root);
}

std::string TempStateDir::dir() const { return (m_root / "state").string(); }

std::string TempStateDir::read(const std::string& relative) const {
    std::ifstream in(m_root / "state" / relative);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

void TempStateDir::write(const std::string& relative, const std::string& text) const {
    fs::path file = m_root / "state" / relative;
    fs::create_directories(file.parent_path());
    std::ofstream(file) << text;
}

}  // namespace calzion::test
