#!/usr/bin/env bash
# Build calzion and run every test: doctest unit tests and end-to-end tests
# against real hosts (each its own dockerd and sshd, started by the ctest
# fixture and stopped by pid). Needs root: the hosts live in network namespaces.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
# In CI an end-to-end test that cannot run is a failure, never a skip.
export CI="${CI:-true}"
cd build
ctest --output-on-failure -j3 --timeout 900
