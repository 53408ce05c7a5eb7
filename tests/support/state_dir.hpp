#pragma once

// A state directory in a fresh temporary directory, for tests that run the
// host-side scripts for real with sh through the local runner. Only `docker` is
// stood in for, by a script on PATH that prints nothing and succeeds: those tests
// are about the state directory, not docker.

#include <filesystem>
#include <string>

namespace calzion::test {

class TempStateDir {
public:
    // `name` makes the directory's name unique to the test file. PATH gets the
    // stand-in docker first until the object goes.
    explicit TempStateDir(const std::string& name);
    ~TempStateDir();
    TempStateDir(const TempStateDir&) = delete;
    TempStateDir& operator=(const TempStateDir&) = delete;

    // The state directory, as the scripts take it.
    std::string dir() const;
    // The text of a file inside the state directory; empty if it cannot be read.
    std::string read(const std::string& relative) const;
    // Write a file inside the state directory, creating its directories.
    void write(const std::string& relative, const std::string& text) const;

private:
    std::filesystem::path m_root;
    std::string m_old_path;
};

}  // namespace calzion::test
