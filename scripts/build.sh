#!/usr/bin/env bash
# Configure and build calzion into build/ (Release with debug info, tests on).
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCALZION_WERROR=ON >/dev/null
cmake --build build
