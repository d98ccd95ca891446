#!/usr/bin/env bash
# Quickstart: install the packages, build, and train conf/quickstart.ini.
# Extra arguments go to `ganglion run` (for example --quick).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build build -j"$(nproc)"
./build/ganglion run conf/quickstart.ini "$@"
