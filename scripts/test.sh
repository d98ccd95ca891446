#!/usr/bin/env bash
# Builds with warnings as errors and runs the whole test suite (ctest), then
# the unit tests again under AddressSanitizer and UBSan.
# GANGLION_SKIP_SANITIZE=1 skips the sanitizer pass.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
jobs=$(nproc)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DGANGLION_WERROR=ON > /dev/null
cmake --build build -j"$jobs"
(cd build && ctest --output-on-failure)
if [ "${GANGLION_SKIP_SANITIZE:-0}" != 1 ]; then
  cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DGANGLION_WERROR=ON -DGANGLION_SANITIZE=ON > /dev/null
  cmake --build build-asan -j"$jobs"
  (cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -E sdk_install)
fi
